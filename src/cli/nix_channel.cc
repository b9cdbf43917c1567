// cli/nix_channel.cc: nix-channel as Nix 2.8. The subscribed channels are the lines "URL NAME"
// of ~/.nix-channels; --update downloads each channel's tarball (the URL itself when it names a
// .tar.{gz,bz2,xz}, else <url>/nixexprs.tar.xz, then .bz2, relative to where the URL itself
// redirects) into the store and installs one builtin:unpack-channel derivation per channel into
// the channels profile (<stateDir>/profiles/per-user/<user>/channels) with nix-env, run in this
// process; then ~/.nix-defexpr/channels points at that profile, so nix-env -iA <channel>.<attr>
// and the default search path (<nixpkgs>) see the channels. Channels are http://, https:// or
// file:// URLs (store/file_transfer.h).
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fcntl.h>
#include <iostream>
#include <map>
#include <regex>
#include <set>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/common_flags.h"
#include "cli/store_cli.h"
#include "glue/fetch.h"
#include "store/gc_roots.h"
#include "sys/file.h"
#include "util/error.h"
#include "util/strings.h"

namespace nixpp {

namespace {

// The builtin derivation of one channel, as Nix 2.8's unpack-channel.nix.
constexpr std::string_view unpackChannelNix = R"({ name, channelName, src }:

derivation {
  builder = "builtin:unpack-channel";

  system = "builtin";

  inherit name channelName src;

  # No point in doing this remotely.
  preferLocalBuild = true;
}
)";

using Channels = std::map<std::string, std::string>;  // name -> url

std::string homeDir() {
  std::string home = getEnv("HOME");
  if (!home.empty()) return home;
  if (struct passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_dir) return pw->pw_dir;
  throw Error("cannot determine the home directory");
}

std::string userName() {
  if (struct passwd* pw = ::getpwuid(::geteuid()); pw && pw->pw_name) return pw->pw_name;
  std::string u = getEnv("USER");
  if (!u.empty()) return u;
  throw Error("cannot determine the user name");
}

std::string baseOf(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  auto slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

std::string readLink(const std::string& path) {
  char buf[4096];
  ssize_t n = ::readlink(path.c_str(), buf, sizeof buf);
  if (n < 0) throw SysError(errno, "reading symbolic link '" + path + "'");
  return std::string(buf, size_t(n));
}

struct Ctx {
  std::string channelsList, nixDefExpr, profile;
  Strings forwarded;  // flags passed on to nix-env (--store, --option ...)
};

Channels readChannels(const Ctx& c) {
  Channels channels;
  if (!pathExists(c.channelsList)) return channels;
  static const std::regex comment("^\\s*#");
  for (auto& line : tokenizeString(readFile(c.channelsList), "\n")) {
    if (std::regex_search(line, comment)) continue;
    auto split = tokenizeString(line, " ");
    if (split.empty()) continue;
    std::string url = split[0];
    while (!url.empty() && url.back() == '/') url.pop_back();
    channels[split.size() > 1 ? split[1] : baseOf(url)] = url;
  }
  return channels;
}

void writeChannels(const Ctx& c, const Channels& channels) {
  std::string text;
  for (auto& [name, url] : channels) text += url + " " + name + "\n";
  writeFile(c.channelsList, text, 0644);
}

void runNixEnv(const Ctx& c, Strings args) {
  Strings all = c.forwarded;
  all.insert(all.end(), args.begin(), args.end());
  int status = nixEnvMain(std::move(all));
  if (status != 0) throw Error("program 'nix-env' failed with exit code " + std::to_string(status));
}

void addChannel(const Ctx& c, const std::string& url, const std::string& name) {
  static const std::regex urlRe("^(file|http|https)://"), nameRe("^[a-zA-Z0-9_][a-zA-Z0-9_\\.-]*$");
  if (!std::regex_search(url, urlRe)) throw Error("invalid channel URL '" + url + "'");
  if (!std::regex_search(name, nameRe)) throw Error("invalid channel identifier '" + name + "'");
  Channels channels = readChannels(c);
  channels[name] = url;
  writeChannels(c, channels);
}

void removeChannel(const Ctx& c, const std::string& name) {
  Channels channels = readChannels(c);
  channels.erase(name);
  writeChannels(c, channels);
  runNixEnv(c, {"--profile", c.profile, "--uninstall", name});
}

void update(const Ctx& c, const Settings& settings, const std::set<std::string>& names) {
  Channels channels = readChannels(c);
  for (auto& n : names)
    if (!channels.count(n)) throw Error("channel '" + n + "' is not subscribed (see 'nix-channel --list')");
  StoreRef store(settings);
  FileTransferSettings transfer = FileTransferSettings::from(settings);
  TempDir tmp("nix-channel");
  std::string unpackChannelPath = tmp.path() + "/unpack-channel.nix";
  writeFile(unpackChannelPath, unpackChannelNix);

  static const std::regex versionRe("(-\\d.*)$"), tarballRe("\\.tar\\.(gz|bz2|xz)$");
  Strings exprs;
  for (auto& [name, url] : channels) {
    // A version number in the URL goes into the name, so that nix-env -q on the profile says it.
    std::string cname = name;
    std::smatch m;
    std::string urlBase = baseOf(url);
    if (std::regex_search(urlBase, m, versionRe)) cname += m.str(1);
    if (!names.empty() && !names.count(name)) {
      // Not updated: the current store path again.
      std::string link = c.profile + "/" + name;
      std::string target;
      try {
        target = readLink(link);
      } catch (Error&) {
        throw Error("channel '" + name + "' has never been updated; run 'nix-channel --update " + name + "'");
      }
      std::string storePath = target.substr(0, target.rfind('/'));
      exprs.push_back("f: rec { name = \"" + cname + "\"; type = \"derivation\"; outputs = [\"out\"]; system = \"builtin\"; outPath = builtins.storePath \"" +
                      storePath + "\"; out = { inherit outPath; };}");
      continue;
    }
    // As Nix 2.8: the URL itself first (into the store, named after it), to see whether it is
    // a tarball and where redirects lead; else the channel's files from where it led.
    DownloadedFile first = downloadFile(*store, url, baseOf(url), transfer);
    std::string path = first.storePath;
    if (!std::regex_search(path, tarballRe)) {
      std::string base = first.effectiveUrl;
      try {
        path = downloadFile(*store, base + "/nixexprs.tar.xz", "nixexprs.tar.xz", transfer).storePath;
      } catch (FileTransferError&) {
        path = downloadFile(*store, base + "/nixexprs.tar.bz2", "nixexprs.tar.bz2", transfer).storePath;
      }
    }
    exprs.push_back("f: f { name = \"" + cname + "\"; channelName = \"" + name + "\"; src = builtins.storePath \"" + path + "\";  }");
  }

  std::cerr << "unpacking channels...\n";
  Strings envArgs{"--profile", c.profile, "--file", unpackChannelPath, "--install", "--remove-all", "--from-expression"};
  envArgs.insert(envArgs.end(), exprs.begin(), exprs.end());
  envArgs.push_back("--quiet");
  runNixEnv(c, envArgs);

  // Make the channels appear in nix-env.
  struct stat st;
  if (::lstat(c.nixDefExpr.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode) && ::unlink(c.nixDefExpr.c_str()) == -1) throw SysError(errno, "unlinking " + c.nixDefExpr);
  } else if (errno != ENOENT) {
    throw SysError(errno, "getting status of " + c.nixDefExpr);
  }
  if (::mkdir(c.nixDefExpr.c_str(), 0755) == -1 && errno != EEXIST) throw SysError(errno, "creating directory '" + c.nixDefExpr + "'");
  replaceSymlink(c.profile, c.nixDefExpr + "/channels");
}

} // namespace

int nixChannelMain(Strings argv) {
  ArgParser ap("nix-channel", std::move(argv));
  CommonFlags common(Frontend::legacy);
  enum { none, add, remove, list, updateOp, rollback } cmd = none;
  Strings args;
  Ctx c;
  while (ap.next()) {
    const std::string& a = ap.arg();
    if (!ap.isFlag()) {
      args.push_back(a);
      continue;
    }
    size_t before = ap.position();
    if (a == "--help") {
      std::cout << "Usage: nix-channel {--add URL [NAME] | --remove NAME | --list | --update [NAMES...] | --rollback [GENERATION]}\n";
      return 0;
    } else if (a == "--version") {
      printVersion("nix-channel");
      return 0;
    } else if (a == "--add") cmd = add;
    else if (a == "--remove") cmd = remove;
    else if (a == "--list") cmd = list;
    else if (a == "--update") cmd = updateOp;
    else if (a == "--rollback") cmd = rollback;
    else if (common.handle(ap)) {
      // Passed on to nix-env as given.
      for (size_t i = before - 1; i < ap.position() && i < ap.allArgs().size(); ++i) c.forwarded.push_back(ap.allArgs()[i]);
    } else throw UsageError("unsupported argument '" + a + "'\nTry 'nix-channel --help' for more information.");
  }
  Settings settings = common.load(SettingsHost::real(), std::cerr);
  std::string home = homeDir();
  c.channelsList = home + "/.nix-channels";
  c.nixDefExpr = home + "/.nix-defexpr";
  std::string perUser = settings.stateDir + "/profiles/per-user/" + userName();
  c.profile = perUser + "/channels";
  if (cmd == updateOp || cmd == remove || cmd == rollback)  // Nix's store makes this directory
    for (auto& d : {settings.stateDir, settings.stateDir + "/profiles", settings.stateDir + "/profiles/per-user", perUser})
      if (::mkdir(d.c_str(), 0755) == -1 && errno != EEXIST) throw SysError(errno, "creating directory '" + d + "'");

  switch (cmd) {
    case none: throw UsageError("no command specified\nTry 'nix-channel --help' for more information.");
    case add: {
      if (args.empty() || args.size() > 2) throw UsageError("'--add' requires one or two arguments");
      std::string name;
      if (args.size() == 2) name = args[1];
      else {
        name = baseOf(args[0]);
        name = std::regex_replace(name, std::regex("-unstable$"), "");
        name = std::regex_replace(name, std::regex("-stable$"), "");
      }
      addChannel(c, args[0], name);
      break;
    }
    case remove:
      if (args.size() != 1) throw UsageError("'--remove' requires one argument");
      removeChannel(c, args[0]);
      break;
    case list:
      if (!args.empty()) throw UsageError("'--list' expects no arguments");
      for (auto& [name, url] : readChannels(c)) std::cout << name << ' ' << url << '\n';
      break;
    case updateOp: update(c, settings, std::set<std::string>(args.begin(), args.end())); break;
    case rollback: {
      if (args.size() > 1) throw UsageError("'--rollback' has at most one argument");
      Strings envArgs{"--profile", c.profile};
      if (args.size() == 1) {
        envArgs.push_back("--switch-generation");
        envArgs.push_back(args[0]);
      } else envArgs.push_back("--rollback");
      runNixEnv(c, envArgs);
      break;
    }
  }
  return 0;
}

} // namespace nixpp
