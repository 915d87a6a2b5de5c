#include "deploy/partitions.h"

namespace stator::deploy {

std::string PartitionOfRegion(const std::string& region) {
  if (region.starts_with("cn-")) return "aws-cn";
  if (region.starts_with("us-gov-")) return "aws-us-gov";
  if (region.starts_with("us-iso-")) return "aws-iso";
  if (region.starts_with("us-isob-")) return "aws-iso-b";
  return "aws";
}

std::string UrlSuffixOfPartition(const std::string& partition) {
  if (partition == "aws-cn") return "amazonaws.com.cn";
  if (partition == "aws-iso") return "c2s.ic.gov";
  if (partition == "aws-iso-b") return "sc2s.sgov.gov";
  return "amazonaws.com";
}

}  // namespace stator::deploy
