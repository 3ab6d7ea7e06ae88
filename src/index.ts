// Worker entry: the Hono app and the Durable Object class wrangler binds.
import { createApp } from "./app.js";

export { ContractObject } from "../durable-objects/contract-object.js";

export default createApp();
