#include "cli/args.h"

#include <cctype>

#include "util/error.h"

namespace nixpp {

ArgParser::ArgParser(std::string program, std::vector<std::string> args)
    : program_(std::move(program)) {
  // Expand short-flag groups ("-abc" -> "-a" "-b" "-c"), but not a lone "-" or "--x".
  for (auto& a : args) {
    if (a.size() > 2 && a[0] == '-' && a[1] != '-' && !std::isdigit((unsigned char)a[1])) {
      for (size_t i = 1; i < a.size(); ++i) args_.push_back(std::string("-") + a[i]);
    } else {
      args_.push_back(std::move(a));
    }
  }
}

bool ArgParser::next() {
  if (hasPendingValue_) unknownFlag();  // "--flag=value" for a flag that takes no value
  if (pos_ >= args_.size()) return false;
  cur_ = args_[pos_++];
  isFlag_ = false;
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
