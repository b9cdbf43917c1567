#include "cli/common_flags.h"

#include "util/strings.h"

namespace nixpp {

bool CommonFlags::handle(ArgParser& p) {
  const std::string a = p.arg();
  auto set = [&](std::string name, std::string value) { overrides_.push_back({std::move(name), std::move(value), false}); };

  if (a == "--option") {
    std::string name = p.value();
    std::string value = p.value();
    overrides_.push_back({name, value, true});
  } else if (a == "--store") {
    set("store", p.value());
  } else if (a == "-v" || a == "--verbose") {
    ++verbosity_;
  } else if (a == "--quiet") {
    verbosity_ = verbosity_ > 0 ? verbosity_ - 1 : 0;
  } else if (a == "--debug") {
    verbosity_ = 7;
  } else if (a == "-j" || a == "--max-jobs") {
    set("max-jobs", p.value());
  } else if (frontend_ == Frontend::legacy && a == "-k") {
    set("keep-going", "true");
  } else if (frontend_ == Frontend::legacy && a == "-K") {
    set("keep-failed", "true");
  } else if (hasPrefix(a, "--no-") && Settings::isBoolSetting(a.substr(5))) {
    set(a.substr(5), "false");
  } else if (hasPrefix(a, "--extra-") && Settings::isListSetting(a.substr(8))) {
    set(a.substr(2), p.value());
  } else if (hasPrefix(a, "--") && Settings::isBoolSetting(a.substr(2))) {
    set(a.substr(2), "true");
  } else if (hasPrefix(a, "--") && Settings::isKnownSetting(a.substr(2))) {
    set(a.substr(2), p.value());
  } else {
    return false;
  }
  return true;
}

Settings CommonFlags::load(const SettingsHost& host, std::ostream& warnings) const {
  Settings base = Settings::defaults(host);
  if (frontend_ == Frontend::nixCommand) base.pureEval = true;
  Settings s = Settings::load(host, base);
  for (auto& o : overrides_) {
    // Unknown names can only come from --option. Nix 2.8 warns about them in the legacy tools
    // only: the `nix` command checks unknown settings before applying its flags.
    if (!s.set(o.name, o.value) && frontend_ == Frontend::legacy) s.unknown.insert(o.name);
  }
  for (auto& u : s.unknown) warnings << "warning: unknown setting " << quoted(u) << "\n";
  return s;
}

} // namespace nixpp
