#!/usr/bin/env bash
# The calls `AwsCmek.provision` makes for a fresh cluster, made with the AWS CLI instead: role first, then every
# region in parallel (describe alias, list keys, create key with policy and tags, create alias, read policy back).
# Usage: bench-aws-cli.sh <endpoint> <cluster uuid> <region>...   (AWS_CLI overrides /usr/bin/aws)
set -euo pipefail
endpoint=$1 cluster=$2
shift 2
aws=(${AWS_CLI:-/usr/bin/aws} --endpoint-url "$endpoint" --output json)
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1 AWS_PAGER=""
account=111122223333
role="crdb-cmek-${cluster:0:8}-${cluster: -12}"
alias="alias/crdb-cmek-$cluster"
sid="CrdbCmekGrant${cluster//-/}"
trust='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"org-benchmark"}}}]}'
policy='{"Version":"2012-10-17","Id":"crdb-cmek-kms","Statement":[{"Sid":"KeyOwnerAdministration","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::'$account':root"},"Action":"kms:*","Resource":"*"},{"Sid":"'$sid'","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::'$account':role/'$role'"},"Action":["kms:Encrypt","kms:Decrypt","kms:GenerateDataKey*","kms:DescribeKey","kms:ReEncrypt*"],"Resource":"*"}]}'

if ! "${aws[@]}" iam get-role --role-name "$role" >/dev/null 2>&1; then
  "${aws[@]}" iam create-role --role-name "$role" --assume-role-policy-document "$trust" \
    --tags Key=crdb-cmek-cluster,Value="$cluster" Key=crdb-cmek-managed-by,Value=cmek-toolkit >/dev/null
fi

pids=()
for region in "$@"; do
  (
    if ! "${aws[@]}" kms describe-key --region "$region" --key-id "$alias" >/dev/null 2>&1; then
      "${aws[@]}" kms list-keys --region "$region" >/dev/null
      key=$("${aws[@]}" kms create-key --region "$region" --policy "$policy" --key-spec SYMMETRIC_DEFAULT \
        --key-usage ENCRYPT_DECRYPT --origin AWS_KMS \
        --tags TagKey=crdb-cmek-cluster,TagValue="$cluster" TagKey=crdb-cmek-generation,TagValue=1 \
        --query KeyMetadata.KeyId --output text)
      "${aws[@]}" kms create-alias --region "$region" --alias-name "$alias" --target-key-id "$key"
      "${aws[@]}" kms get-key-policy --region "$region" --key-id "$key" --policy-name default >/dev/null
    fi
  ) &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
