#include "store/build/outputs.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <functional>

#include "store/build/build_env.h"
#include "store/canonicalise.h"
#include "store/local_store.h"
#include "store/nar_fs.h"
#include "store/refs.h"
#include "sys/file.h"

namespace nixpp {

namespace {

class TeeSink : public Sink {
public:
  TeeSink(Sink& a, Sink& b) : a_(a), b_(b) {}
  void operator()(std::string_view d) override {
    a_(d);
    b_(d);
  }

private:
  Sink& a_;
  Sink& b_;
};

struct Scanned {
  Hash narHash{HashAlgo::sha256};
  uint64_t narSize = 0;
  StorePathSet references;
};

// The set of paths a spec (output names or store paths) stands for.
StorePathSet resolveSpec(const LocalStore& store, const BuiltOutputs& b, const std::vector<std::string>& spec) {
  StorePathSet res;
  for (auto& s : spec) {
    if (auto it = b.outputs.find(s); it != b.outputs.end()) res.insert(it->second);
    else if (auto p = store.storeDir().parsePathOpt(s)) res.insert(*p);
    else
      throw BuildError("derivation contains an illegal reference specifier '" + s + "'");
  }
  return res;
}

void checkOutputRefs(LocalStore& store, const BuiltOutputs& b, const StorePath& out, const StorePathSet& refs,
                     const std::map<StorePath, StorePathSet>& outputRefs) {
  auto closureOf = [&](const StorePathSet& start) {
    StorePathSet res, todo = start;
    while (!todo.empty()) {
      StorePath p = *todo.begin();
      todo.erase(todo.begin());
      if (!res.insert(p).second) continue;
      if (auto it = outputRefs.find(p); it != outputRefs.end()) todo.insert(it->second.begin(), it->second.end());
      else todo.merge(store.queryPathInfo(p).references);
    }
    return res;
  };
  auto check = [&](const char* attr, bool allowed, bool requisites) {
    auto spec = derivationStringsAttr(b.drv, attr);
    if (!spec) return;
    StorePathSet specSet = resolveSpec(store, b, *spec);
    StorePathSet used = requisites ? closureOf(refs) : refs;
    if (requisites) used.erase(out);
    StorePathSet bad;
    for (auto& p : used) {
      bool listed = specSet.count(p) > 0;
      if (allowed ? !listed : listed) bad.insert(p);
    }
    if (allowed) bad.erase(out);  // a self-reference is always allowed
    if (bad.empty()) return;
    std::string s;
    for (auto& p : bad) s += "\n  " + store.storeDir().printPath(p);
    throw BuildError("output '" + store.storeDir().printPath(out) + "' is not allowed to refer to the following paths:" + s);
  };
  check("allowedReferences", true, false);
  check("allowedRequisites", true, true);
  check("disallowedReferences", false, false);
  check("disallowedRequisites", false, true);
}

// Outputs referring to each other in a cycle could never be copied or deleted one before the
// other: the build fails, as in Nix (topoSort of the outputs in registerOutputs).
void checkNoOutputCycle(const StoreDir& dir, const BuiltOutputs& b, const std::map<std::string, Scanned>& scanned) {
  std::map<StorePath, std::string> nameOf;
  for (auto& [name, path] : b.outputs) nameOf.emplace(path, name);
  std::map<std::string, int> state;  // 1: on the stack, 2: done
  std::function<void(const std::string&, const std::string&)> visit = [&](const std::string& name,
                                                                          const std::string& parent) {
    int& st = state[name];
    if (st == 2) return;
    if (st == 1)
      throw BuildError("cycle detected in build of '" + dir.printPath(b.drvPath) + "' in the references of output '" +
                       name + "' from output '" + parent + "'");
    st = 1;
    for (auto& r : scanned.at(name).references) {
      auto it = nameOf.find(r);
      if (it != nameOf.end() && it->second != name) visit(it->second, name);
    }
    state[name] = 2;
  };
  for (auto& [name, _] : b.outputs) visit(name, "");
}

} // namespace

void registerOutputs(LocalStore& store, const BuiltOutputs& b) {
  const StoreDir& dir = store.storeDir();
  std::string drvPrinted = dir.printPath(b.drvPath);
  std::map<std::string, StorePath> byHash;
  for (auto& p : b.inputClosure) byHash.emplace(std::string(p.hashPart()), p);
  for (auto& [_, p] : b.outputs) byHash.emplace(std::string(p.hashPart()), p);
  std::set<std::string> hashParts;
  for (auto& [h, _] : byHash) hashParts.insert(h);

  std::map<std::string, Scanned> scanned;
  std::map<StorePath, StorePathSet> outputRefs;
  for (auto& [name, path] : b.outputs) {
    const std::string& actual = b.builtAt.at(name);
    struct stat st;
    if (::lstat(actual.c_str(), &st) == -1)
      throw BuildError("builder for '" + drvPrinted + "' failed to produce output path for output '" + name +
                       "' at '" + dir.printPath(path) + "'");
    RefScanSink refs(hashParts);
    HashSink narHasher(HashAlgo::sha256);
    TeeSink tee(refs, narHasher);
    if (auto known = b.knownNars.find(name); known != b.knownNars.end()) {
      tee(known->second);
    } else {
      canonicalisePathMetaData(actual);
      dumpPath(actual, tee);
    }
    Scanned s;
    std::tie(s.narHash, s.narSize) = narHasher.finish();
    for (auto& h : refs.found()) s.references.insert(byHash.at(h));
    outputRefs[path] = s.references;
    scanned.emplace(name, std::move(s));
  }

  checkNoOutputCycle(dir, b, scanned);

  std::vector<ValidPathInfo> infos;
  for (auto& [name, path] : b.outputs) {
    auto& s = scanned.at(name);
    ValidPathInfo info(path);
    info.narHash = s.narHash;
    info.narSize = s.narSize;
    info.references = s.references;
    info.deriver = b.drvPath;
    info.ultimate = true;
    auto& out = b.drv.outputs.at(name);
    if (auto* fixed = std::get_if<DerivationOutput::CAFixed>(&out.raw)) {
      const std::string& actual = b.builtAt.at(name);
      const ContentAddress& want = fixed->ca;
      Hash got(want.hash.algo());
      if (want.method == ContentAddressMethod::flat) {
        struct stat st;
        if (::lstat(actual.c_str(), &st) == -1 || !S_ISREG(st.st_mode) || (st.st_mode & S_IXUSR))
          throw BuildError("output path '" + dir.printPath(path) +
                           "' should be a non-executable regular file since recursive hashing is not enabled "
                           "(outputHashMode=flat)");
        HashSink h(want.hash.algo());
        AutoCloseFd fd = openFile(actual, O_RDONLY | O_CLOEXEC);
        FdSource in(fd.get());
        in.drainInto(h);
        got = h.finish().first;
      } else {
        HashSink h(want.hash.algo());
        dumpPath(actual, h);
        got = h.finish().first;
      }
      if (got != want.hash)
        throw BuildError(BuildError::Kind::hashMismatch,
                         "hash mismatch in fixed-output derivation '" + drvPrinted + "':\n  specified: " +
                             want.hash.to_string(HashFormat::sri, true) + "\n  got:    " +
                             got.to_string(HashFormat::sri, true));
      if (!s.references.empty())
        throw BuildError("illegal path references in fixed-output derivation '" + drvPrinted + "'");
      info.ca = ContentAddress{want.method, got};
    }
    checkOutputRefs(store, b, path, s.references, outputRefs);
    infos.push_back(std::move(info));
  }

  if (b.check) {
    for (auto& info : infos) {
      auto old = store.queryPathInfoOpt(info.path);
      if (old && old->narHash != info.narHash) {
        std::string name;
        for (auto& [n, p] : b.outputs)
          if (p == info.path) name = n;
        throw BuildError(BuildError::Kind::notDeterministic,
                         "derivation '" + drvPrinted + "' may not be deterministic: output '" +
                             dir.printPath(info.path) + "' differs");
      }
    }
    return;
  }

  std::vector<std::string> replaced;  // repair: where the old contents went
  for (auto& [name, path] : b.outputs) {
    const std::string& actual = b.builtAt.at(name);
    std::string dst = store.realPath(path);
    bool sync = store.config().fsyncStorePaths;
    if (actual == dst) {
      if (sync) syncTree(dst);
      continue;
    }
    if (sync) syncTree(actual);
    struct stat st;
    if (b.repair && store.isValidPath(path) && ::lstat(dst.c_str(), &st) == 0) {
      // A valid path is never absent or half-written: the new tree and the old one swap places
      // in one step.
      if (::renameat2(AT_FDCWD, actual.c_str(), AT_FDCWD, dst.c_str(), RENAME_EXCHANGE) == -1)
        throw SysError(errno, "replacing '" + dst + "' by its repaired contents");
      replaced.push_back(actual);
      continue;
    }
    deletePath(dst);  // a leftover invalid copy
    if (::rename(actual.c_str(), dst.c_str()) == -1)
      throw SysError(errno, "moving build output '" + actual + "' into the store");
  }
  store.registerValidPaths(infos);
  for (auto& old : replaced) deletePath(old);
}

bool outputContentsGood(LocalStore& store, const StorePath& path) {
  auto info = store.queryPathInfoOpt(path);
  if (!info || !pathExists(store.realPath(path))) return false;
  return store.hashPath(path).first == info->narHash;
}

} // namespace nixpp
