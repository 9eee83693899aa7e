// Everything tasks-client exports, kept whole (the namespace object is used): the client's full size.
import * as sdk from "tasks-client";

console.log(sdk);
