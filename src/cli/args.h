// cli/args.h: a small command-line parser shared by every front-end. It walks the arguments one
// at a time, splits "-abc" style short-flag groups and "--flag=value", and reports unknown flags
// and missing values as UsageError in Nix's words.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nixpp {

class ArgParser {
public:
  // `program` names the command in messages ("nix-hash", "nix hash file").
  ArgParser(std::string program, std::vector<std::string> args);

  // Advances to the next argument; false when none are left. After "--", every argument is
  // positional.
  bool next();
  // The current argument.
  const std::string& arg() const { return cur_; }
  // True if the current argument is a flag (starts with '-' and is not "-" or after "--").
  bool isFlag() const { return isFlag_; }
  // The value of the current flag: the "=value" part or the next argument. Throws UsageError
  // "flag 'X' requires an argument" if there is none.
  std::string value();
  // Throws UsageError "unrecognised flag 'X'".
  [[noreturn]] void unknownFlag() const;
  // Throws a UsageError with the given message, adding the "Try '... --help'" hint.
  [[noreturn]] void fail(const std::string& msg) const;

  const std::string& program() const { return program_; }

  // All arguments (as given) and how many have been consumed so far (a short-flag group
  // counts as one).
  const std::vector<std::string>& allArgs() const { return args_; }
  size_t position() const { return pos_; }

private:
  std::string program_;
  std::vector<std::string> args_;
  size_t pos_ = 0;
  std::string cur_;
  std::string pendingValue_;  // from --flag=value
  std::string shortRest_;     // the unread rest of a short-flag group such as "-vj2"
  bool hasPendingValue_ = false;
  bool isFlag_ = false;
  bool dashdash_ = false;
};

} // namespace nixpp
