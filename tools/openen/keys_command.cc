// Copyright 2026 The OpenEN Authors. SPDX-License-Identifier: Apache-2.0
//
// `openen keys derive`: the identifiers a key broadcasts, one line per interval.

#include <cstdio>
#include <string>
#include <vector>

#include "commands.h"
#include "openen/cli/args.h"
#include "openen/crypto/gaen.h"

namespace openen::tools {

using cli::Args;
using cli::Fail;
using cli::kExitFailure;
using cli::kExitOk;
using cli::ParseInt;

namespace {

constexpr char kUsage[] =
    "usage: openen keys derive --tek HEX --interval N [--count K] [--metadata HEX]\n"
    "\n"
    "Prints the Rolling Proximity Identifier and Associated Encrypted Metadata that\n"
    "the Temporary Exposure Key TEK broadcasts in intervals N .. N+K-1, one line each:\n"
    "  interval<TAB>rpi_hex<TAB>aem_hex\n"
    "\n"
    "  --tek HEX        the 16-byte key as 32 hex characters\n"
    "  --interval N     the first EN interval number (unix seconds / 600), 0..4294967295\n"
    "  --count K        how many intervals (default 1, at most 1000000)\n"
    "  --metadata HEX   the 4-byte Bluetooth metadata (default 40080000: v1.0, +8 dBm)\n";

int Derive(int argc, char** argv, int first) {
  auto args = Args::Parse(argc, argv, first, {"tek", "interval", "count", "metadata"}, {"help"});
  if (!args.ok()) return Fail(args.status().message());
  if (args->Has("help")) {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  if (!args->positional().empty()) return Fail("unexpected argument '" + args->positional()[0] + "'");
  auto tek_hex = args->Get("tek");
  if (!tek_hex) return Fail("--tek is required");
  if (tek_hex->size() != 32) {
    return Fail("--tek must be 32 hex characters, got " + std::to_string(tek_hex->size()));
  }
  auto tek = base::HexDecode(*tek_hex);
  if (!tek.ok()) return Fail("--tek: " + tek.status().message());
  auto interval_text = args->Get("interval");
  if (!interval_text) return Fail("--interval is required");
  auto interval = ParseInt(*interval_text, "--interval", 0, 0xffffffffLL);
  if (!interval.ok()) return Fail(interval.status().message());
  auto count = args->GetInt("count", 1, 1, 1000000);
  if (!count.ok()) return Fail(count.status().message());
  if (*interval + *count - 1 > 0xffffffffLL) return Fail("--interval + --count exceeds 4294967295");
  auto metadata_bytes = base::HexDecode(args->Get("metadata").value_or("40080000"));
  if (!metadata_bytes.ok() || metadata_bytes->size() != crypto::kMetadataSize) {
    return Fail("--metadata must be 8 hex characters");
  }
  crypto::Metadata metadata;
  std::copy(metadata_bytes->begin(), metadata_bytes->end(), metadata.begin());

  crypto::RpiDeriver deriver;
  if (base::Status s = deriver.SetTek(*tek); !s.ok()) return Fail(s.message());
  auto aemk = crypto::DeriveAemk(*tek);
  if (!aemk.ok()) return Fail(aemk.status().message());
  std::vector<crypto::Rpi> rpis(static_cast<size_t>(*count));
  const uint32_t first_interval = static_cast<uint32_t>(*interval);
  deriver.ComputeRun(first_interval, rpis);
  for (size_t i = 0; i < rpis.size(); ++i) {
    auto aem = crypto::EncryptAem(aemk->Reveal(), rpis[i], metadata);
    if (!aem.ok()) return Fail(aem.status().message(), kExitFailure);
    std::printf("%u\t%s\t%s\n", first_interval + static_cast<uint32_t>(i),
                base::HexEncode(rpis[i]).c_str(), base::HexEncode(*aem).c_str());
  }
  return kExitOk;
}

}  // namespace

int KeysCommand(int argc, char** argv, int first) {
  if (first >= argc) return Fail(std::string("missing subcommand\n") + kUsage);
  std::string sub = argv[first];
  if (sub == "derive") return Derive(argc, argv, first + 1);
  if (sub == "--help" || sub == "help") {
    std::fputs(kUsage, stdout);
    return kExitOk;
  }
  return Fail("unknown subcommand 'keys " + sub + "'");
}

}  // namespace openen::tools
