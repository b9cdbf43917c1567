// store/build/build_log.h: where build logs live and how they are read back, as Nix lays them
// out: <logDir>/drvs/<first 2 chars of the .drv base name>/<the rest>, plain text (nixpp writes
// them plain; Nix's ".bz2" compressed logs are read too). A log is written while the build runs
// and is complete once the build has ended; a crash leaves a partial log, which is harmless.
#pragma once

#include <optional>
#include <string>

#include "format/store_path.h"
#include "sys/file.h"

namespace nixpp {

// The plain log file of derivation `drvPath` (without ".bz2").
std::string buildLogPath(const std::string& logDir, const StorePath& drvPath);

// Creates (truncating) the log file of `drvPath`, creating its directory. Throws SysError.
AutoCloseFd openBuildLog(const std::string& logDir, const StorePath& drvPath);

// The log of `drvPath` (plain or bz2), or nullopt if there is none. Throws Error for a
// corrupt .bz2 file.
std::optional<std::string> readBuildLog(const std::string& logDir, const StorePath& drvPath);

} // namespace nixpp
