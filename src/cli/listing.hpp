#pragma once
// The catalog listings: `fwcert checks`, `requirements`, `analyzers` and `explain`, each in
// the formats of one table (listing.cpp), so --format's choices and the renderers cannot differ.

#include <string>
#include <string_view>
#include <vector>

namespace fwcert::cli {

enum class Listing { kChecks, kRequirements, kAnalyzers, kExplain };

/// What to list and how, as the subcommands' options give it.
struct ListingArgs {
  std::string format = "text";
  std::string catalog_dir;  ///< empty: the built-in catalog
  std::string profile = "avs";
  std::string check;  ///< the check `explain` explains
};

/// The formats `listing` is rendered in, in the order --help lists them.
std::vector<std::string> listing_formats(Listing listing);

/// Prints `listing` to stdout in args.format; returns the exit code.
int run_listing(Listing listing, const ListingArgs& args);

}  // namespace fwcert::cli
