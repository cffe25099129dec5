#!/usr/bin/env bash
# The compliance report the way an operator scripts it with the AWS CLI: list the managed nodes
# tagged Environment=$1, then their patch states 50 ids at a time. The endpoint is $SSM_ENDPOINT
# (the benchmark's loopback SSM); Region and credentials come from the environment.
set -euo pipefail
env_name=$1
aws=${AWS_CLI:-aws}
endpoint=(--endpoint-url "$SSM_ENDPOINT")
"$aws" ssm describe-instance-information "${endpoint[@]}" \
    --filters "Key=tag:Environment,Values=$env_name" \
    --query 'InstanceInformationList[].InstanceId' --output text \
  | tr '\t' '\n' | grep . \
  | xargs -n 50 "$aws" ssm describe-instance-patch-states "${endpoint[@]}" --output json --instance-ids \
  | grep -c '"InstanceId"'
