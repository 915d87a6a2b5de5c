// AWS partitions as CloudFormation's pseudo parameters see them: the partition a region belongs
// to (AWS::Partition) and the partition's domain suffix (AWS::URLSuffix).
//
// Thread-safety: pure functions.
#pragma once

#include <string>

namespace stator::deploy {

// aws-cn for cn-*, aws-us-gov for us-gov-*, aws-iso for us-iso-*, aws-iso-b for us-isob-*,
// else aws.
std::string PartitionOfRegion(const std::string& region);

// amazonaws.com.cn (aws-cn), c2s.ic.gov (aws-iso), sc2s.sgov.gov (aws-iso-b), else
// amazonaws.com.
std::string UrlSuffixOfPartition(const std::string& partition);

}  // namespace stator::deploy
