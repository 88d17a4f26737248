using Microsoft.Extensions.Options;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace EmbeddedIdp.Server;

/// <summary>
/// Opaque access tokens (<c>EmbeddedIdp:OpaqueAccessTokens</c>), an EmbeddedIdp extra: Keycloak always issues JWTs, its
/// nearest mode is the lightweight token. OpenIddict stores the Keycloak-shaped JWT in the token's database entry and
/// hands out a random 256-bit reference instead (a "reference token"), so the caller holds nothing readable and only
/// introspection (or revocation) at this IdP can tell what the token is.
/// </summary>
public static class OpaqueTokenHandlers
{
    public static IEnumerable<OpenIddictServerHandlerDescriptor> All => [IssueReferenceAccessTokens.Descriptor];

    /// <summary>Runs after the JWT is written and before OpenIddict stores payloads and swaps in the reference.</summary>
    public sealed class IssueReferenceAccessTokens(IOptions<EmbeddedIdpOptions> options) : IOpenIddictServerHandler<GenerateTokenContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<GenerateTokenContext>()
                .UseSingletonHandler<IssueReferenceAccessTokens>()
                .SetOrder(OpenIddictServerHandlers.Protection.AttachTokenPayload.Descriptor.Order - 100)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(GenerateTokenContext context)
        {
            if (options.Value.OpaqueAccessTokens && context.TokenType is TokenTypeIdentifiers.AccessToken)
            {
                context.IsReferenceToken = true;
                context.PersistTokenPayload = true;
            }

            return default;
        }
    }
}
