import { strict as assert } from "assert";
import { PATCH_DOCUMENT, roleArnAccount } from "../../lib/aws";
import * as pack from "../../policies/ssm";

// The policy pack is published on its own and keeps its own copy of the AWS rules it uses; the
// project's live in lib/aws. These must agree.
describe("the policy pack's copy of the AWS rules", () => {
    it("names the same patch document", () => {
        assert.equal(pack.PATCH_DOCUMENT, PATCH_DOCUMENT);
        assert.equal(pack.isPatchDocument(PATCH_DOCUMENT), true);
    });

    const arns = [
        "arn:aws:iam::123456789012:role/PatchingDeployment",
        "arn:aws-cn:iam::123456789012:role/path/to/Role",
        "arn:aws-us-gov:iam::123456789012:role/a+b=c,d.e@f-g_h",
        "arn:aws:iam::123456789012:user/bob",
        "arn:aws:iam::12345678901:role/short",
        "arn:aws:iam::123456789012:role/",
        "arn:aws:iam::123456789012:role/has space",
        "arn:aws:sts::123456789012:assumed-role/R/s",
        "",
    ];
    for (const arn of arns) {
        it(`reads the same account from ${JSON.stringify(arn)}`, () => {
            assert.equal(pack.roleArnAccount(arn), roleArnAccount(arn));
        });
    }
});
