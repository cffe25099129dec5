// Every page of docs/, walked line by line after the README's set-up (see walk.ts).
import { DOC_PAGES, walkPage } from "./walk";

for (const page of DOC_PAGES) walkPage(page);
