// A value or a core::Error. C++20 has no std::expected yet; this is the
// small subset ferry needs, so core/ can return errors without exceptions.
#pragma once

#include <utility>
#include <variant>

#include "core/error.hpp"

namespace ferry::core {

template <typename T> class Expected {
  public:
    Expected(T value) : v_(std::move(value)) {}
    Expected(Error error) : v_(std::move(error)) {}

    bool ok() const { return std::holds_alternative<T>(v_); }
    explicit operator bool() const { return ok(); }
    T& value() { return std::get<T>(v_); }
    const T& value() const { return std::get<T>(v_); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() { return value(); }
    const T& operator*() const { return value(); }
    const Error& error() const { return std::get<Error>(v_); }

  private:
    std::variant<T, Error> v_;
};

} // namespace ferry::core
