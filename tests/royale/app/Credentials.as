package
{
/**
 * Makes Royale's AMF channel send cookies cross-origin. Royale 0.9.12's JS
 * AMFNetConnection (what mx.messaging's AMFChannel uses) opens its own
 * XMLHttpRequests and never sets `withCredentials`; its CORS credentials
 * beads only reach URLLoader, URLStream and HTTPService. So an application
 * that needs its session cookie on another origin sets the flag itself,
 * for requests to that origin only, before the first channel connects.
 */
public class Credentials
{
    public static function sendTo(origin:String):void
    {
        var proto:Object = window["XMLHttpRequest"]["prototype"];
        var open:Function = proto["open"];
        // Set before `open`: Royale sends from inside `open` (its
        // readystatechange handler for OPENED calls `send`), after which
        // the flag may not change. A pooled request keeps it.
        // `this` is the request (mxmlc warns: in a closure it is not the
        // enclosing object, which is the point here).
        proto["open"] = function(method:String, url:String, ... rest):void {
            if (url.indexOf(origin + "/") == 0 && !this["withCredentials"])
                this["withCredentials"] = true;
            open.apply(this, [method, url].concat(rest));
        };
    }
}
}
