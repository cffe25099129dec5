// README.md, walked line by line as a newcomer would (see walk.ts): its own file, so that mocha's
// parallel workers walk it while another walks docs/.
import { walkPage } from "./walk";

walkPage("README.md");
