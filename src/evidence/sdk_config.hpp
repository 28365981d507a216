#pragma once
// The AVS Device SDK configuration files of an image (AlexaClientSDKConfig.json, Smart Screen
// and Auto SDK configuration), found by name and parsed once. Judged by the avs analyzer and
// read by the tls analyzer (which follows libcurlUtils.CURLOPT_CAPATH to the CA store the client
// uses).

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "fwcert/report.hpp"
#include "inventory/inventory.hpp"

namespace fwcert::evidence {

struct SdkConfig {
  const inventory::Entry* entry = nullptr;
  std::string path;  ///< display path
  nlohmann::json doc;
  std::string text;  ///< the raw file, for line numbers
};

/// True for AlexaClientSDKConfig*.json, SmartScreenSDKConfig*.json and Auto SDK aace*.json.
bool is_sdk_config_name(std::string_view name);

struct SdkConfigs {
  std::vector<SdkConfig> configs;
  std::vector<Diagnostic> diagnostics;  ///< files that could not be read or parsed; avs reports them
};

/// Every SDK configuration file in the inventory, parsed (JSON with comments allowed); a file
/// that does not parse becomes a diagnostic and is skipped.
SdkConfigs find_sdk_configs(const inventory::Inventory& inv);

/// Every string (or number, as text) value of `key` anywhere in the document, in document order.
std::vector<std::string> values_of(const nlohmann::json& doc, std::string_view key);

/// 1-based line of the first occurrence of `"key"` in the text, or 0.
std::uint64_t line_of_key(std::string_view text, std::string_view key);

}  // namespace fwcert::evidence
