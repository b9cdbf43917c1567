#include "store/dummy_store.h"

namespace nixpp {

namespace {

class DummyStore : public Store {
public:
  explicit DummyStore(std::string dir) : Store(StoreDir(std::move(dir))) {}

  std::string url() const override { return "dummy://"; }
  bool isValidPath(const StorePath&) override { return false; }
  std::optional<ValidPathInfo> queryPathInfoOpt(const StorePath&) override { return std::nullopt; }
  StorePathSet queryAllValidPaths() override { return {}; }
  StorePathSet queryReferrers(const StorePath&) override { return {}; }
  StorePathSet queryValidDerivers(const StorePath&) override { return {}; }
  std::map<std::string, StorePath> queryDerivationOutputs(const StorePath& drvPath) override {
    throw InvalidPath("path '" + storeDir().printPath(drvPath) + "' is not valid");
  }
  std::optional<StorePath> queryPathFromHashPart(std::string_view) override { return std::nullopt; }
  void narFromPath(const StorePath& path, Sink&) override {
    throw InvalidPath("path '" + storeDir().printPath(path) + "' is not valid");
  }
  void addToStore(const ValidPathInfo&, Source&, Repair) override { unsupported(); }
  StorePath addToStoreFromDump(Source&, std::string_view, ContentAddressMethod, HashAlgo, const StorePathSet&,
                               Repair) override {
    unsupported();
  }
  StorePath addPathToStore(const std::string&, std::string_view, ContentAddressMethod, HashAlgo, Repair) override {
    unsupported();
  }
  VerifyResult verifyStore(bool, Repair) override { return {}; }

private:
  [[noreturn]] static void unsupported() { throw Error("dummy store does not support adding paths"); }
};

} // namespace

std::unique_ptr<Store> makeDummyStore(std::string storeDir) { return std::make_unique<DummyStore>(std::move(storeDir)); }

} // namespace nixpp
