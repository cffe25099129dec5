/** Listing the managed nodes that match tag targets (DescribeInstanceInformation, 50 a page). */
import type { InstanceInformation, SSMClient } from "@aws-sdk/client-ssm";
import { collectPages, PAGE_SIZE } from "../aws/pagination";
import { ssmSdk } from "../aws/sdk";
import { instanceInformationFilters, type TargetSpec } from "./targets";

/** Every managed node carrying the spec's tags: ceil(N/50) calls for N nodes. */
export async function listManagedNodes(
    ssm: SSMClient,
    spec: Extract<TargetSpec, { kind: "tags" }>,
    /** Called with each page as it arrives, so callers can start work on it while the next page loads. */
    onPage?: (page: InstanceInformation[]) => void,
): Promise<InstanceInformation[]> {
    const { paginateDescribeInstanceInformation } = await ssmSdk();
    const pages = paginateDescribeInstanceInformation(
        { client: ssm, pageSize: PAGE_SIZE.DescribeInstanceInformation },
        { Filters: instanceInformationFilters(spec) },
    );
    return collectPages(pages, (page) => page.InstanceInformationList, { onPage, operation: "DescribeInstanceInformation", keyOf: (node) => node.InstanceId });
}
