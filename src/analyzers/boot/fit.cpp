// boot-uboot-fit-required-key and boot-uboot-legacy-disabled: whether U-Boot insists on a
// signature over what it boots. U-Boot checks FIT signatures only against /signature/key-*
// nodes of its control DTB that carry `required`; an optional key lets an unsigned FIT boot.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "analyzers/boot/common.hpp"

namespace fwcert::analyzers::boot {

namespace {

constexpr std::string_view kFitCheck = "boot-uboot-fit-required-key";
constexpr std::string_view kLegacyCheck = "boot-uboot-legacy-disabled";

namespace ff = formats::fit;

std::string where(const FoundTree& t) {
  return t.offset ? fmt::format("{} (device tree at offset {:#x})", t.path, t.offset) : t.path;
}

Evidence tree_evidence(const FoundTree& t, std::string observed, std::string expected = {}) {
  Evidence e = at(t.path, 0, std::move(observed), std::move(expected));
  if (t.offset) e.offset = t.offset;
  return e;
}

bool key_is_strong(const ff::Key& k) {
  ff::Algorithm a = ff::split_algorithm(k.algo);
  if (a.bits == 0 && k.rsa_bits) a.bits = k.rsa_bits;
  return ff::is_strong_hash(a.hash) && ff::is_strong_cipher(a);
}

bool is_required(const ff::Key& k) { return k.required == "conf" || k.required == "image"; }

/// The hint a key node answers to: key-name-hint, or the node name without "key-".
std::string key_hint(const ff::Key& k) {
  if (!k.key_name_hint.empty()) return k.key_name_hint;
  return k.node.starts_with("key-") ? k.node.substr(4) : k.node;
}

/// Judges one control DTB; returns the hints of its good required keys.
std::vector<std::string> judge_control_dtb(const FoundTree& t, Output& out) {
  std::vector<std::string> good;
  std::vector<Evidence> ev, bad;
  if (!t.tree.has_signature_node || t.tree.keys.empty()) {
    out.findings.push_back(finding(
        kFitCheck, Status::kFail, where(t),
        t.tree.has_signature_node ? "the U-Boot control DTB has an empty /signature node: no key is required"
                                  : "the U-Boot control DTB has no /signature node: U-Boot verifies no FIT signature",
        {tree_evidence(t, "no /signature/key-* node", "/signature/key-<name> with required = \"conf\"")}));
    return good;
  }
  for (const auto& k : t.tree.keys) {
    std::string desc = fmt::format("/signature/{}: algo \"{}\", required \"{}\", key-name-hint \"{}\"", k.node, k.algo,
                                   k.required, k.key_name_hint);
    out.facts.push_back({"boot", where(t), "uboot.signature_key", desc, tree_evidence(t, desc)});
    if (!is_required(k)) {
      bad.push_back(tree_evidence(t, desc + " (optional: U-Boot still boots unsigned images)",
                                  "required = \"conf\" (mkimage -r)"));
    } else if (!key_is_strong(k)) {
      bad.push_back(tree_evidence(t, desc + " (weak algorithm)", "SHA-256+ with RSA-2048+ or ECDSA P-256+"));
    } else {
      good.push_back(key_hint(k));
      ev.push_back(tree_evidence(t, desc));
    }
  }
  if (good.empty()) {
    out.findings.push_back(finding(kFitCheck, Status::kFail, where(t),
                                   "no key in the U-Boot control DTB is both required and strong: U-Boot boots FIT "
                                   "images without a valid signature (fail-open)",
                                   std::move(bad)));
  } else {
    ev.insert(ev.end(), bad.begin(), bad.end());
    out.findings.push_back(finding(
        kFitCheck, Status::kPass, where(t),
        fmt::format("U-Boot requires a signature by {} ({})", fmt::join(good, ", "),
                    t.tree.required_mode.empty() ? "required-mode any" : "required-mode " + t.tree.required_mode),
        std::move(ev)));
  }
  return good;
}

/// Judges one FIT against the required keys found (empty when no control DTB was found).
void judge_fit(const FoundTree& t, const std::vector<std::string>& required, bool have_control, Output& out) {
  const ff::DeviceTree& fit = t.tree;
  std::vector<Evidence> problems, ok;
  std::size_t signed_configs = 0;
  for (const auto& img : fit.images) {
    bool strong =
        std::any_of(img.hashes.begin(), img.hashes.end(), [](const ff::Hash& h) { return ff::is_strong_hash(h.algo); });
    std::vector<std::string> algos;
    for (const auto& h : img.hashes) algos.push_back(h.algo);
    out.facts.push_back({"boot", where(t), "fit.image",
                         fmt::format("{} type {} hashes [{}] signatures {}", img.name, img.type, fmt::join(algos, ","),
                                     img.signatures.size()),
                         tree_evidence(t, "/images/" + img.name)});
    if (img.hashes.empty() && img.signatures.empty()) {
      problems.push_back(tree_evidence(t, fmt::format("/images/{} ({}) has no hash node", img.name, img.type),
                                       "a hash-1 node with algo sha256 (a configuration signature covers image "
                                       "hashes, not image data)"));
    } else if (!img.hashes.empty() && !strong) {
      problems.push_back(tree_evidence(t,
                                       fmt::format("/images/{} hashed only with {}", img.name, fmt::join(algos, ",")),
                                       "sha256 or stronger (md5, sha1 and crc32 do not resist forgery)"));
    }
  }
  auto judge_signature = [&](const std::string& node, const ff::Signature& s) {
    ff::Algorithm a = ff::split_algorithm(s.algo);
    std::string desc = fmt::format("{}: algo \"{}\", key-name-hint \"{}\"", node, s.algo, s.key_name_hint);
    if (!s.has_value) {
      problems.push_back(tree_evidence(t, desc + " without a value (never signed)", "signed by mkimage -k"));
      return false;
    }
    if (!ff::is_strong_hash(a.hash) || !ff::is_strong_cipher(a)) {
      problems.push_back(tree_evidence(t, desc, "SHA-256+ with RSA-2048+ or ECDSA P-256+"));
      return false;
    }
    if (have_control && std::find(required.begin(), required.end(), s.key_name_hint) == required.end()) {
      problems.push_back(tree_evidence(t, desc + " (no required key of that name in the control DTB)",
                                       "signed by a key the control DTB requires"));
      return false;
    }
    ok.push_back(tree_evidence(t, desc));
    return true;
  };
  for (const auto& c : fit.configurations) {
    std::string node = "/configurations/" + c.name;
    bool good = false;
    for (const auto& s : c.signatures) {
      if (!judge_signature(node + "/" + s.node, s)) continue;
      good = true;
      // Every image the configuration loads must be covered by sign-images.
      for (const auto& [prop, refs] : c.images) {
        if (prop == "loadables" || prop == "fpga" || prop == "firmware" || prop == "setup" || prop == "kernel" ||
            prop == "fdt" || prop == "ramdisk") {
          bool covered = std::find(s.sign_images.begin(), s.sign_images.end(), prop) != s.sign_images.end();
          if (!covered && !s.sign_images.empty()) {
            problems.push_back(
                tree_evidence(t,
                              fmt::format("{}/{} sign-images \"{}\" leaves {} ({}) unsigned", node, s.node,
                                          fmt::join(s.sign_images, ","), prop, fmt::join(refs, ",")),
                              "sign-images lists every image the configuration loads"));
          }
        }
      }
    }
    if (good) ++signed_configs;
  }
  bool image_signed = false;
  for (const auto& img : fit.images) {
    for (const auto& s : img.signatures)
      image_signed = judge_signature("/images/" + img.name + "/" + s.node, s) || image_signed;
  }
  if (signed_configs == 0 && !image_signed && problems.empty()) {
    problems.push_back(tree_evidence(t, "no configuration or image carries a signature",
                                     "/configurations/<conf>/signature-1 signed with the production key"));
  }
  std::string summary = fmt::format("FIT with {} image(s) and {} configuration(s), {} signed configuration(s)",
                                    fit.images.size(), fit.configurations.size(), signed_configs);
  if (signed_configs == 0 && !image_signed) {
    out.findings.push_back(
        finding(kFitCheck, Status::kFail, where(t), summary + ": the kernel FIT is unsigned", std::move(problems)));
  } else if (!problems.empty()) {
    out.findings.push_back(
        finding(kFitCheck, Status::kFail, where(t), summary + "; parts are not protected", std::move(problems)));
  } else if (!have_control) {
    out.findings.push_back(finding(kFitCheck, Status::kInconclusive, where(t),
                                   summary + "; no U-Boot control DTB was found to show that U-Boot requires the "
                                             "signature",
                                   std::move(ok)));
  } else {
    out.findings.push_back(
        finding(kFitCheck, Status::kPass, where(t), summary + ", signed with a key U-Boot requires", std::move(ok)));
  }
}

void check_required_key(const Collected& c, Output& out) {
  std::vector<std::string> required;
  for (const auto& t : c.control_dtbs) {
    auto good = judge_control_dtb(t, out);
    required.insert(required.end(), good.begin(), good.end());
  }
  bool have_control = !c.control_dtbs.empty();
  if (!have_control) {
    for (const auto& b : c.binaries) {
      if (b.fit_signature) {
        out.findings.push_back(finding(kFitCheck, Status::kInconclusive, b.path,
                                       "U-Boot has FIT signature support but its control DTB (with the required keys) "
                                       "was not found in the target",
                                       {at(b.path, 0, "key-name-hint and rsa2048 strings")}));
      } else {
        out.findings.push_back(finding(kFitCheck, Status::kFail, b.path,
                                       "U-Boot was built without FIT signature verification",
                                       {at(b.path, 0, "no key-name-hint/rsa2048 strings", "CONFIG_FIT_SIGNATURE=y")}));
      }
    }
  }
  for (const auto& f : c.fits) judge_fit(f, required, have_control, out);
  if (c.control_dtbs.empty() && c.fits.empty() && c.binaries.empty()) {
    out.findings.push_back(finding(kFitCheck, Status::kInconclusive, "u-boot",
                                   "no U-Boot binary, control DTB or FIT image was found in the target"));
  }
}

void check_legacy(const Collected& c, Output& out) {
  bool have_required = false;
  for (const auto& t : c.control_dtbs) {
    have_required = have_required || std::any_of(t.tree.keys.begin(), t.tree.keys.end(), is_required);
  }
  const formats::kernel::KernelConfig* cfg = c.uboot_config ? &*c.uboot_config : nullptr;
  std::optional<bool> signature, legacy;
  std::vector<Evidence> ev;
  if (cfg) {
    const auto* s = cfg->find("FIT_SIGNATURE");
    const auto* l = cfg->find("LEGACY_IMAGE_FORMAT");
    signature = cfg->is_enabled("FIT_SIGNATURE");
    legacy = cfg->is_enabled("LEGACY_IMAGE_FORMAT");
    ev.push_back(at(c.uboot_config_path, l ? l->line : 0,
                    fmt::format("CONFIG_LEGACY_IMAGE_FORMAT {}", *legacy ? "y" : "is not set"),
                    "CONFIG_LEGACY_IMAGE_FORMAT is not set"));
    if (s)
      ev.push_back(
          at(c.uboot_config_path, s->line, fmt::format("CONFIG_FIT_SIGNATURE {}", *signature ? "y" : "is not set")));
  } else if (!c.binaries.empty()) {
    const auto& b = c.binaries.front();
    signature = b.fit_signature;
    legacy = b.legacy_image;
    ev.push_back(at(
        b.path, 0,
        b.legacy_image ? "\"## Booting kernel from Legacy Image at\" is compiled in" : "no legacy-image boot messages",
        "no legacy image support (CONFIG_LEGACY_IMAGE_FORMAT off)"));
  }
  if (have_required) signature = true;
  for (const auto& l : c.legacy) {
    if (l.header.type == formats::uboot::kLegacyTypeKernel ||
        l.header.type == formats::uboot::kLegacyTypeKernelNoload || l.header.type == formats::uboot::kLegacyTypeMulti) {
      ev.push_back(at(l.path, 0, fmt::format("legacy uImage \"{}\" ({})", l.header.name, l.header.type_name()),
                      "kernels shipped only as signed FIT images"));
    }
  }
  bool legacy_kernels =
      std::any_of(ev.begin(), ev.end(), [](const Evidence& e) { return e.observed.starts_with("legacy uImage"); });
  std::string subject =
      cfg ? c.uboot_config_path : (!c.binaries.empty() ? c.binaries.front().path : std::string("u-boot"));
  if (!signature) {
    out.findings.push_back(finding(kLegacyCheck, Status::kInconclusive, subject,
                                   "neither a U-Boot binary nor its configuration was found, so whether legacy images "
                                   "still boot is unknown",
                                   std::move(ev)));
    return;
  }
  if (!*signature) {
    out.findings.push_back(finding(kLegacyCheck, Status::kNotApplicable, subject,
                                   "U-Boot verifies no signatures at all, so there is no signature check to bypass "
                                   "(see boot-uboot-fit-required-key)",
                                   std::move(ev)));
    return;
  }
  if (!legacy) {
    out.findings.push_back(finding(kLegacyCheck, legacy_kernels ? Status::kWarn : Status::kInconclusive, subject,
                                   legacy_kernels
                                       ? "FIT signatures are required, and a legacy uImage kernel is shipped "
                                         "next to them; the U-Boot binary was not found to tell whether it "
                                         "still boots legacy images"
                                       : "FIT signatures are required, but the U-Boot binary or configuration "
                                         "was not found to tell whether legacy images still boot",
                                   std::move(ev)));
    return;
  }
  if (*legacy) {
    out.findings.push_back(finding(kLegacyCheck, Status::kFail, subject,
                                   "U-Boot verifies FIT signatures but still boots unsigned legacy uImages, which "
                                   "bypasses the verification",
                                   std::move(ev)));
  } else {
    out.findings.push_back(finding(kLegacyCheck, Status::kPass, subject,
                                   "U-Boot verifies FIT signatures and cannot boot legacy uImages", std::move(ev)));
  }
}

}  // namespace

void check_fit(const Collected& c, Output& out) {
  check_required_key(c, out);
  check_legacy(c, out);
}

}  // namespace fwcert::analyzers::boot
