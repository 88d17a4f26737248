using EmbeddedIdp.Realm;
using Microsoft.Extensions.Options;

namespace EmbeddedIdp.Server;

/// <summary>
/// The one place that decides the issuer: <c>EmbeddedIdp:Issuer</c> when set, else Keycloak dev mode's
/// <c>{scheme}://{host}{pathBase}/realms/{realm}</c> of the request. Tokens, discovery, introspection and
/// token validation all ask here, so they can never disagree.
/// </summary>
public sealed class Issuer(IOptions<EmbeddedIdpOptions> options, RealmModel realm)
{
    public string For(Uri? baseUri) =>
        options.Value.Issuer?.TrimEnd('/')
        ?? new Uri(baseUri ?? throw new InvalidOperationException("The request has no base URI."), $"realms/{realm.Name}").AbsoluteUri;

    /// <summary>Endpoint paths relative to the host, as Keycloak lays them out (OpenIddict resolves them per request).</summary>
    public static string Path(RealmModel realm, string endpoint) => $"realms/{realm.Name}/{endpoint}";
}
