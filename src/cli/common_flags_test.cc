#include "cli/common_flags.h"

#include <gtest/gtest.h>

#include <sstream>

namespace nixpp {

namespace {

// No files, no environment: only defaults and flags.
SettingsHost emptyHost() {
  SettingsHost h;
  h.getEnv = [](const std::string&) { return std::optional<std::string>(); };
  h.readFile = [](const std::string&) { return std::optional<std::string>(); };
  h.hardwareCores = 4;
  return h;
}

// Runs a front-end loop over `args` and returns the loaded settings; unhandled arguments are
// collected in `rest`.
Settings run(Frontend f, std::vector<std::string> args, std::string* warnings = nullptr,
             std::vector<std::string>* rest = nullptr, int* verbosity = nullptr) {
  ArgParser p("nix test", std::move(args));
  CommonFlags common(f);
  while (p.next())
    if (!p.isFlag() || !common.handle(p)) {
      if (rest) rest->push_back(p.arg());
    }
  std::ostringstream w;
  auto s = common.load(emptyHost(), w);
  if (warnings) *warnings = w.str();
  if (verbosity) *verbosity = common.verbosity();
  return s;
}

} // namespace

TEST(CommonFlags, SettingFlagsInOrder) {
  std::vector<std::string> rest;
  auto s = run(Frontend::nixCommand,
               {"--option", "cores", "2", "pos", "--cores", "3", "--extra-substituters", "a", "--no-sandbox",
                "--keep-going", "-j", "5", "--store", "/tmp/s", "--option", "extra-trusted-users", "bob",
                "--require-sigs", "--no-require-sigs", "--narinfo-cache-negative-ttl=7", "--other"},
               nullptr, &rest);
  EXPECT_EQ(s.cores, 3u);
  EXPECT_EQ(s.substituters, (StringList{"https://cache.nixos.org/", "a"}));
  EXPECT_EQ(s.sandbox, SandboxMode::disabled);
  EXPECT_TRUE(s.keepGoing);
  EXPECT_EQ(s.maxJobs, 5u);
  EXPECT_EQ(s.store, "/tmp/s");
  EXPECT_EQ(s.trustedUsers, (StringList{"root", "bob"}));
  EXPECT_FALSE(s.requireSigs);
  EXPECT_EQ(s.narinfoCacheNegativeTtl, 7u);
  EXPECT_TRUE(s.pureEval);  // the nix command's default
  EXPECT_EQ(rest, (std::vector<std::string>{"pos", "--other"}));
}

TEST(CommonFlags, VerbosityAndLegacyShortFlags) {
  int v = 0;
  std::vector<std::string> rest;
  auto s = run(Frontend::legacy, {"-vv", "-k", "-K", "--show-trace", "--quiet"}, nullptr, &rest, &v);
  EXPECT_EQ(v, 4);
  EXPECT_TRUE(s.keepGoing);
  EXPECT_TRUE(s.keepFailed);
  EXPECT_TRUE(s.showTrace);
  EXPECT_FALSE(s.pureEval);
  // -k means nothing to the nix command.
  rest.clear();
  run(Frontend::nixCommand, {"-k"}, nullptr, &rest);
  EXPECT_EQ(rest, std::vector<std::string>{"-k"});
}

TEST(CommonFlags, UnknownOptionWarnsOnlyInLegacyTools) {
  std::string w;
  run(Frontend::legacy, {"--option", "foo", "1"}, &w);
  EXPECT_EQ(w, "warning: unknown setting 'foo'\n");
  run(Frontend::nixCommand, {"--option", "foo", "1"}, &w);
  EXPECT_EQ(w, "");
}

TEST(CommonFlags, BadValuesAndMissingArguments) {
  EXPECT_THROW(run(Frontend::nixCommand, {"--cores", "x"}), UsageError);
  EXPECT_THROW(run(Frontend::nixCommand, {"--option", "cores"}), UsageError);
  EXPECT_THROW(run(Frontend::nixCommand, {"--store"}), UsageError);
}

} // namespace nixpp
