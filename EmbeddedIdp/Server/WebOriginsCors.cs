using System.Net.Http.Headers;
using System.Text;
using EmbeddedIdp.Realm;

namespace EmbeddedIdp.Server;

/// <summary>
/// CORS on the token endpoint, as Keycloak does it: a preflight is answered for any origin, and a token response is
/// readable by a page only when the page's origin is one of the requesting client's <c>webOrigins</c>.
/// </summary>
public sealed class WebOriginsCors(RequestDelegate next, RealmModel realm)
{
    // Keycloak's CorsResource default list of allowed request headers.
    private const string AllowedHeaders =
        "Origin, Accept, X-Requested-With, Content-Type, Access-Control-Request-Method, Access-Control-Request-Headers, Authorization, DPoP";

    private readonly PathString _tokenPath = "/" + Issuer.Path(realm, "protocol/openid-connect/token");

    public async Task InvokeAsync(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0 || !context.Request.Path.Equals(_tokenPath, StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        var headers = context.Response.Headers;
        if (HttpMethods.IsOptions(context.Request.Method))
        {
            // The client is not known yet: the token response itself decides whether the page may read it.
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowCredentials = "true";
            headers.AccessControlAllowMethods = "POST, OPTIONS";
            headers.AccessControlAllowHeaders = AllowedHeaders;
            headers.AccessControlMaxAge = "3600";
            context.Response.StatusCode = StatusCodes.Status200OK;
            return;
        }

        if (realm.FindClient(await ClientIdAsync(context.Request)) is { } client && client.WebOrigins.Contains(origin, StringComparer.Ordinal))
        {
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlAllowCredentials = "true";
            headers.Vary = "Origin";
        }

        await next(context);
    }

    // The client named by HTTP Basic (client_secret_basic, form-urlencoded per RFC 6749 §2.3.1) or by the form's client_id.
    private static async Task<string?> ClientIdAsync(HttpRequest request)
    {
        if (AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var authorization)
            && string.Equals(authorization.Scheme, "Basic", StringComparison.OrdinalIgnoreCase)
            && authorization.Parameter is { } parameter)
        {
            try
            {
                var user = Encoding.UTF8.GetString(Convert.FromBase64String(parameter)).Split(':', 2)[0];
                return Uri.UnescapeDataString(user.Replace('+', ' '));
            }
            catch (FormatException)
            {
                return null; // OpenIddict answers the malformed header itself
            }
        }

        return request.HasFormContentType ? (await request.ReadFormAsync(request.HttpContext.RequestAborted))["client_id"].ToString() : null;
    }
}
