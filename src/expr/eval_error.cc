#include "expr/eval_error.h"

namespace nixpp {

std::string renderErrorWithPos(const std::string& msg, const Pos& pos) {
  if (!pos) return msg;
  return msg + "\n       at " + pos.toString() + ":" + pos.codeFrame();
}

EvalError::EvalError(const std::string& msg, const Pos& pos)
    : Error(renderErrorWithPos(msg, pos)), msg_(msg), pos_(pos) {}

} // namespace nixpp
