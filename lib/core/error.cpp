#include "core/error.hpp"

namespace ferry::core {

std::string_view code_name(Code c)
{
    switch (c) {
    case Code::InvalidArgument: return "InvalidArgument";
    case Code::UnknownOption: return "UnknownOption";
    case Code::NotProbed: return "NotProbed";
    case Code::ProbeExpired: return "ProbeExpired";
    case Code::Unreachable: return "Unreachable";
    case Code::AuthenticationFailed: return "AuthenticationFailed";
    case Code::RateLimited: return "RateLimited";
    case Code::OptionUnavailable: return "OptionUnavailable";
    case Code::SameSystem: return "SameSystem";
    case Code::IncompatibleSource: return "IncompatibleSource";
    case Code::Busy: return "Busy";
    case Code::NoJob: return "NoJob";
    case Code::NotFinished: return "NotFinished";
    case Code::NotFailed: return "NotFailed";
    case Code::NotAuthorized: return "NotAuthorized";
    case Code::JournalCorrupt: return "JournalCorrupt";
    case Code::ReplicationFailed: return "ReplicationFailed";
    case Code::ObjectMismatch: return "ObjectMismatch";
    case Code::TlsRequired: return "TlsRequired";
    case Code::CertificateMismatch: return "CertificateMismatch";
    case Code::UnexpectedDefinition: return "UnexpectedDefinition";
    case Code::SourceOutOfRing: return "SourceOutOfRing";
    case Code::RestartLimit: return "RestartLimit";
    case Code::LimitsExceeded: return "LimitsExceeded";
    case Code::JournalWriteFailed: return "JournalWriteFailed";
    case Code::PreflightFailed: return "PreflightFailed";
    case Code::Internal: return "Internal";
    }
    return "Internal";
}

} // namespace ferry::core
