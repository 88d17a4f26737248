using OpenIddict.Server;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace EmbeddedIdp.Server;

/// <summary>
/// Every URL in the discovery document is the issuer plus Keycloak's path, never built from the request's <c>Host</c>
/// header: with a pinned issuer a caller cannot make the IdP advertise a token endpoint (where secrets go) elsewhere.
/// </summary>
public sealed class PinnedDiscoveryUrls(Issuer issuer) : IOpenIddictServerHandler<HandleConfigurationRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
        OpenIddictServerHandlerDescriptor.CreateBuilder<HandleConfigurationRequestContext>()
            .UseSingletonHandler<PinnedDiscoveryUrls>()
            // After OpenIddict attached its own (request-relative) endpoint URLs.
            .SetOrder(OpenIddictServerHandlers.Discovery.AttachEndpoints.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(HandleConfigurationRequestContext context)
    {
        var root = issuer.For(context.BaseUri);
        context.Issuer = new Uri(root);
        context.TokenEndpoint = new Uri($"{root}/protocol/openid-connect/token");
        context.JsonWebKeySetEndpoint = new Uri($"{root}/protocol/openid-connect/certs");
        context.IntrospectionEndpoint = new Uri($"{root}/protocol/openid-connect/token/introspect");
        context.RevocationEndpoint = new Uri($"{root}/protocol/openid-connect/revoke");
        return default;
    }
}
