#include "util/error.h"

#include <cstring>

namespace nixpp {

SysError::SysError(int err, const std::string& msg)
    : Error(msg + ": " + std::strerror(err)), errNo(err) {}

} // namespace nixpp
