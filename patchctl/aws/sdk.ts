/**
 * The AWS SDK, loaded on first use. Loading @aws-sdk/client-ssm takes longer than everything else
 * `patchctl --help` or a usage error needs, so no module that main.ts loads imports SDK values at
 * the top: they take them from here inside the async functions that call AWS (types are imported
 * as usual: they cost nothing at run time).
 */
export const ssmSdk = () => import("@aws-sdk/client-ssm");
