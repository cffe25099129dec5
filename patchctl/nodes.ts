/** Listing the managed nodes that match tag targets (DescribeInstanceInformation, 50 a page). */
import { paginateDescribeInstanceInformation, type InstanceInformation, type SSMClient } from "@aws-sdk/client-ssm";
import { instanceInformationFilters, type TargetSpec } from "./targets";

/** DescribeInstanceInformation's largest page. */
export const INSTANCE_INFORMATION_PAGE_SIZE = 50;

/** Every managed node carrying the spec's tags: ceil(N/50) calls for N nodes. */
export async function listManagedNodes(
    ssm: SSMClient,
    spec: Extract<TargetSpec, { kind: "tags" }>,
    /** Called with each page as it arrives, so callers can start work on it while the next page loads. */
    onPage?: (page: InstanceInformation[]) => void,
): Promise<InstanceInformation[]> {
    const nodes: InstanceInformation[] = [];
    const pages = paginateDescribeInstanceInformation(
        { client: ssm, pageSize: INSTANCE_INFORMATION_PAGE_SIZE },
        { Filters: instanceInformationFilters(spec) },
    );
    for await (const page of pages) {
        const list = page.InstanceInformationList ?? [];
        nodes.push(...list);
        onPage?.(list);
    }
    return nodes;
}
