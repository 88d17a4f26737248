using EmbeddedIdp.Realm;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace EmbeddedIdp.Server;

/// <summary>Revocation (RFC 7009) with the checks of Keycloak 26's <c>TokenRevocationEndpoint.revoke</c>, in its order.</summary>
public static class RevocationHandlers
{
    public static IEnumerable<OpenIddictServerHandlerDescriptor> All => [AuthenticateCallerLikeKeycloak.Descriptor, RejectUnmatchingClient.Descriptor];

    /// <summary>
    /// <c>checkClient</c> (the token endpoint's client authentication: 401 <c>invalid_client</c> or <c>unauthorized_client</c>),
    /// then <c>checkParameterDuplicated</c>, then a missing token (400 <c>invalid_request</c>).
    /// </summary>
    public sealed class AuthenticateCallerLikeKeycloak(RealmModel realm) : IOpenIddictServerHandler<ValidateRevocationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateRevocationRequestContext>()
                .UseSingletonHandler<AuthenticateCallerLikeKeycloak>()
                .SetOrder(OpenIddictServerHandlers.Revocation.ValidateTokenParameter.Descriptor.Order - 1000)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateRevocationRequestContext context)
        {
            switch (ClientAuthentication.Authenticate(realm, context.Request, out _))
            {
                case ClientAuthenticationResult.NoSuchClient:
                    KeycloakStatus.Reject(context, Errors.InvalidClient, TokenRequestHandlers.AuthenticateClientLikeKeycloak.Failed, StatusCodes.Status401Unauthorized);
                    break;
                case ClientAuthenticationResult.BadSecret:
                    KeycloakStatus.Reject(context, Errors.UnauthorizedClient, TokenRequestHandlers.AuthenticateClientLikeKeycloak.Failed, StatusCodes.Status401Unauthorized);
                    break;
                default:
                    if (RepeatedParameters.AnyIn(context.Request))
                    {
                        KeycloakStatus.Reject(context, Errors.InvalidRequest, "duplicated parameter", StatusCodes.Status400BadRequest);
                    }
                    else if (string.IsNullOrEmpty(context.Request.Token))
                    {
                        KeycloakStatus.Reject(context, Errors.InvalidRequest, "Token not provided", StatusCodes.Status400BadRequest);
                    }

                    break;
            }

            return default;
        }
    }

    /// <summary>
    /// Keycloak's <c>checkIssuedFor</c>: a valid token issued to another client is 400 <c>invalid_request</c>
    /// "Unmatching clients", and stays valid. (A token that does not validate at all is a 200, as RFC 7009 says.)
    /// </summary>
    public sealed class RejectUnmatchingClient : IOpenIddictServerHandler<ValidateRevocationRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateRevocationRequestContext>()
                .UseSingletonHandler<RejectUnmatchingClient>()
                .SetOrder(OpenIddictServerHandlers.Revocation.ValidateAuthorizedParty.Descriptor.Order - 1)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateRevocationRequestContext context)
        {
            if (context.GenericTokenPrincipal?.GetClaim(Claims.AuthorizedParty) is { } issuedFor
                && !string.Equals(issuedFor, context.Request.ClientId, StringComparison.Ordinal))
            {
                KeycloakStatus.Reject(context, Errors.InvalidRequest, "Unmatching clients", StatusCodes.Status400BadRequest);
            }

            return default;
        }
    }
}
