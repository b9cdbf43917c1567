#include "cli/args.h"

#include <cctype>
#include <utility>

#include "util/error.h"

namespace nixpp {

ArgParser::ArgParser(std::string program, std::vector<std::string> args)
    : program_(std::move(program)), args_(std::move(args)) {}

bool ArgParser::next() {
  if (hasPendingValue_) unknownFlag();  // "--flag=value" for a flag that takes no value
  // The rest of a short-flag group: "-abc" is "-a" "-b" "-c", unless a flag takes a value,
  // which is then the rest of the group ("-j2"), as with getopt.
  if (!shortRest_.empty()) {
    cur_ = std::string("-") + shortRest_[0];
    shortRest_.erase(0, 1);
    isFlag_ = true;
    return true;
  }
  if (pos_ >= args_.size()) return false;
  cur_ = args_[pos_++];
  isFlag_ = false;
  if (!dashdash_ && cur_.size() > 2 && cur_[0] == '-' && cur_[1] != '-' &&
      !std::isdigit((unsigned char)cur_[1])) {
    shortRest_ = cur_.substr(2);
    cur_.resize(2);
    isFlag_ = true;
    return true;
  }
  if (!dashdash_ && cur_ == "--") {
    dashdash_ = true;
    return next();
  }
  if (!dashdash_ && cur_.size() > 1 && cur_[0] == '-') {
    isFlag_ = true;
    if (cur_[1] == '-') {
      auto eq = cur_.find('=');
      if (eq != std::string::npos) {
        pendingValue_ = cur_.substr(eq + 1);
        hasPendingValue_ = true;
        cur_ = cur_.substr(0, eq);
      }
    }
  }
  return true;
}

std::string ArgParser::value() {
  if (hasPendingValue_) {
    hasPendingValue_ = false;
    return std::move(pendingValue_);
  }
  if (!shortRest_.empty()) return std::exchange(shortRest_, std::string());
  if (pos_ >= args_.size()) fail("flag '" + cur_ + "' requires an argument");
  return args_[pos_++];
}

void ArgParser::unknownFlag() const {
  fail("unrecognised flag '" + cur_ + "'");
}

void ArgParser::fail(const std::string& msg) const {
  throw UsageError(msg + "\nTry '" + program_ + " --help' for more information.");
}

} // namespace nixpp
