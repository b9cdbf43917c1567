// util/version.h: the versions nixpp reports.
#pragma once

namespace nixpp {

// nixpp's own release.
inline constexpr const char* nixppVersion = "0.1.0";
// The Nix release whose behaviour nixpp follows; printed by --version as "(Nix) X" so that
// scripts parsing Nix's version string keep working.
inline constexpr const char* nixCompatVersion = "2.24.0";

} // namespace nixpp
