// glue/store_eval_io.h: the evaluator's window on the world (expr/eval_io.h) implemented over
// the real file system and a Store. The store is opened lazily, on the first request that needs
// it, so evaluations that never touch the store never open one.
#pragma once

#include <functional>
#include <memory>

#include "expr/eval_io.h"
#include "store/file_transfer.h"

namespace nixpp {

class Store;

// Whether an evaluation may add to the store. Read-only (nix-instantiate --eval, as Nix's
// readOnlyMode): store paths of sources, toFile texts and .drv files are computed but nothing is
// written, and the store is never opened for them.
enum class StoreWrites { allowed, readOnly };

class StoreEvalIo : public EvalIo {
public:
  // `openStore` is called at most once, when the store is first needed; `storeDir` answers
  // storeDir() without opening it. The Store must outlive this object. `transfer`: how the
  // fetchers download.
  StoreEvalIo(std::function<Store&()> openStore, std::string storeDir,
              StoreWrites writes = StoreWrites::allowed, FileTransferSettings transfer = {});

  std::string readFile(const std::string& path) override;
  bool pathExists(const std::string& path) override;
  FileType fileType(const std::string& path) override;
  std::vector<DirEntry> readDirectory(const std::string& path) override;
  std::string readLink(const std::string& path) override;
  std::string storeDir() override { return storeDir_; }
  std::string copyPathToStore(const std::string& path, std::string_view name, bool recursive,
                              const PathFilter* filter) override;
  std::string addTextToStore(std::string_view name, std::string_view text,
                             const std::vector<std::string>& references) override;
  std::string writeDerivation(const Derivation& drv, const std::string& text) override;
  bool isValidPath(const std::string& storePath) override;
  std::string getEnv(const std::string& name) override;
  std::string absPath(const std::string& path) override;
  std::vector<std::string> queryReferences(const std::string& storePath) override;
  std::string readStoreFile(const std::string& path) override;
  std::string toRealPath(const std::string& storePath) override;
  FetchResult fetch(const FetchRequest& req) override;  // glue/fetch.h

private:
  Store& store();
  std::function<Store&()> openStore_;
  Store* store_ = nullptr;
  std::string storeDir_;
  StoreWrites writes_;
  FileTransferSettings transfer_;
};

} // namespace nixpp
