// The centrifuge package's whole JSON-protocol entry point, kept (the namespace object is used).
import * as centrifuge from "centrifuge";

console.log(centrifuge);
