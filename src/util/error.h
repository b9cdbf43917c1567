// util/error.h: nixpp's typed errors. Every error a user can see is one of these, carrying the
// message in Nix's words (without the leading "error: ", which the front-end prints).
#pragma once

#include <stdexcept>
#include <string>

namespace nixpp {

// Base of all nixpp errors. `what()` is the message a user reads.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string& msg) : std::runtime_error(msg) {}
  // Exit status a front-end should use when this error ends a command.
  virtual int exitStatus() const { return 1; }
};

#define NIXPP_DECLARE_ERROR(Name, Base)                      \
  class Name : public Base {                                  \
  public:                                                     \
    using Base::Base;                                         \
  }

NIXPP_DECLARE_ERROR(UsageError, Error);     // bad command line: unknown flag, missing argument
NIXPP_DECLARE_ERROR(FormatError, Error);    // malformed serialised data of any kind
NIXPP_DECLARE_ERROR(BadHash, FormatError);  // a hash string that cannot be parsed
NIXPP_DECLARE_ERROR(EndOfFile, Error);      // a source ended before the data it promised

// An operating-system call failed; the message ends with strerror(errno).
class SysError : public Error {
public:
  SysError(int err, const std::string& msg);
  int errNo;
};

} // namespace nixpp
