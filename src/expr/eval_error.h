// expr/eval_error.h: errors of the Nix language, each with the position it is about. what() is
// the full text Nix prints after "error: ": the message, then "at <origin>:<line>:<col>:" and
// the code frame.
#pragma once

#include <string>
#include <vector>

#include "expr/pos.h"
#include "util/error.h"

namespace nixpp {

class EvalError : public Error {
public:
  // `pos` may be empty (no position known). The rendering is done here, so the PosTable
  // behind `pos` need not outlive the exception; `pos()` itself must not be used after it.
  EvalError(const std::string& msg, const Pos& pos);
  const std::string& message() const { return msg_; }
  const Pos& pos() const { return pos_; }
  void setPos(const Pos& p) { pos_ = p; }

  // The "… while evaluating ..." frames added while the error propagated, innermost first.
  // `always` frames (addErrorContext, "while evaluating derivation") are printed even when the
  // trace is truncated (no --show-trace).
  struct Trace {
    Pos pos;
    std::string hint;
    bool always = false;
  };
  std::vector<Trace> traces;
  // "Did you mean x?", printed after the position (empty: none).
  std::string suggestion;
  void addTrace(const Pos& p, std::string hint, bool always = false) {
    traces.push_back({p, std::move(hint), always});
  }

  // Nix's full rendering after "error: ": the frames outermost first, runs of frames already
  // printed folded into "(N duplicate frames omitted)", and without showTrace only the first
  // few frames (plus the `always` ones) and "(stack trace truncated; ...)".
  std::string render(bool showTrace) const;

  // Throws a copy of this error, of its dynamic type (for memoised errors: each force of a failed
  // value gets its own copy, whose trace the frames it passes through extend).
  [[noreturn]] virtual void throwCopy() const { throw EvalError(*this); }

private:
  std::string msg_;
  Pos pos_;
};

// Anything the parser rejects: syntax errors, duplicate attributes, bad literals...
class ParseError : public EvalError {
public:
  using EvalError::EvalError;
  [[noreturn]] void throwCopy() const override { throw ParseError(*this); }
};

// A variable not bound in any enclosing scope (found when binding variables, before evaluation).
class UndefinedVarError : public EvalError {
public:
  using EvalError::EvalError;
  [[noreturn]] void throwCopy() const override { throw UndefinedVarError(*this); }
};

// An error of evaluation of its own kind (derived from Base, an EvalError), copyable by throwCopy.
#define NIXPP_DECLARE_EVAL_ERROR(Name, Base)                               \
  class Name : public Base {                                              \
  public:                                                                 \
    using Base::Base;                                                     \
    [[noreturn]] void throwCopy() const override { throw Name(*this); }   \
  }

// Renders "msg\n       at pos:" + code frame, as used by EvalError::what().
std::string renderErrorWithPos(const std::string& msg, const Pos& pos);

} // namespace nixpp
