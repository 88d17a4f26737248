using System.Security.Claims;
using EmbeddedIdp.Realm;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace EmbeddedIdp.Server;

/// <summary>The client-credentials grant with Keycloak's rules: which scopes a client gets, and what its token says.</summary>
public static class TokenRequestHandlers
{
    public static IEnumerable<OpenIddictServerHandlerDescriptor> All =>
        [
            ValidateGrantTypeLikeKeycloak.Descriptor, AuthenticateClientLikeKeycloak.Descriptor, RejectDuplicatedParameters.Descriptor,
            RejectKeycloakOnlyGrants.Descriptor, ValidateServiceAccount.Descriptor, IssueServiceAccountToken.Descriptor,
            AttachKeycloakResponseParameters.Descriptor,
        ];

    // Keycloak's TokenEndpoint.processGrantRequest checks, in this order: grant type, client authentication, duplicated
    // parameters, then the grant's own rules. All of them run before OpenIddict's own validation, so the first failing
    // check is the one Keycloak would report.
    private static int Before(int step) => OpenIddictServerHandlers.Exchange.ValidateGrantType.Descriptor.Order - 1000 + (step * 100);

    /// <summary>Grant types Keycloak 26 knows: anything else is <c>unsupported_grant_type</c> before the client is even looked at.</summary>
    private static readonly HashSet<string> KeycloakGrantTypes =
    [
        GrantTypes.AuthorizationCode, GrantTypes.RefreshToken, GrantTypes.Password, GrantTypes.ClientCredentials,
        GrantTypes.TokenExchange, GrantTypes.DeviceCode, "urn:openid:params:grant-type:ciba", "urn:ietf:params:oauth:grant-type:uma-ticket",
    ];

    /// <summary>Keycloak's <c>checkGrantType</c>: a missing or unknown grant type, whoever the client is.</summary>
    public sealed class ValidateGrantTypeLikeKeycloak : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseSingletonHandler<ValidateGrantTypeLikeKeycloak>()
                .SetOrder(Before(0))
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            var grantType = RepeatedParameters.First(context.Request, Parameters.GrantType);
            if (string.IsNullOrEmpty(grantType))
            {
                KeycloakStatus.Reject(context, Errors.InvalidRequest, "Missing form parameter: grant_type", StatusCodes.Status400BadRequest);
            }
            else if (!KeycloakGrantTypes.Contains(grantType))
            {
                KeycloakStatus.Reject(context, Errors.UnsupportedGrantType, "Unsupported grant_type", StatusCodes.Status400BadRequest);
            }

            return default;
        }
    }

    /// <summary>
    /// Keycloak's client authentication (<c>AuthenticationProcessor.authenticateClient</c>): no, unknown or disabled client
    /// is 401 <c>invalid_client</c>; a known client with a missing or wrong secret is 401 <c>unauthorized_client</c>.
    /// </summary>
    public sealed class AuthenticateClientLikeKeycloak(RealmModel realm) : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public const string Failed = "Invalid client or Invalid client credentials";

        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseSingletonHandler<AuthenticateClientLikeKeycloak>()
                .SetOrder(Before(1))
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            switch (ClientAuthentication.Authenticate(realm, context.Request, out _))
            {
                case ClientAuthenticationResult.NoSuchClient:
                    KeycloakStatus.Reject(context, Errors.InvalidClient, Failed, StatusCodes.Status401Unauthorized);
                    break;
                case ClientAuthenticationResult.BadSecret:
                    KeycloakStatus.Reject(context, Errors.UnauthorizedClient, Failed, StatusCodes.Status401Unauthorized);
                    break;
            }

            return default;
        }
    }

    /// <summary>Keycloak's <c>checkParameterDuplicated</c> (RFC 6749 §3.2: parameters "MUST NOT be included more than once").</summary>
    public sealed class RejectDuplicatedParameters : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseSingletonHandler<RejectDuplicatedParameters>()
                .SetOrder(Before(2))
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            // Keycloak's token exchange takes several audience (and resource) values; every other parameter is single.
            string[] multivalued = context.Request.IsTokenExchangeGrantType() ? [Parameters.Audience, Parameters.Resource] : [];
            if (RepeatedParameters.AnyIn(context.Request, except: multivalued))
            {
                KeycloakStatus.Reject(context, Errors.InvalidRequest, "duplicated parameter", StatusCodes.Status400BadRequest);
            }

            return default;
        }
    }

    /// <summary>
    /// Grants Keycloak knows but no client of this realm can use get Keycloak's answers, not <c>unsupported_grant_type</c>:
    /// there is no code or refresh token to redeem (<c>invalid_grant</c>), and password grants are off for every client.
    /// </summary>
    public sealed class RejectKeycloakOnlyGrants : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseSingletonHandler<RejectKeycloakOnlyGrants>()
                .SetOrder(Before(3))
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            switch (context.Request.GrantType)
            {
                case GrantTypes.AuthorizationCode:
                    context.Reject(Errors.InvalidGrant, "Code not valid");
                    break;
                case GrantTypes.RefreshToken:
                    context.Reject(Errors.InvalidGrant, "Invalid refresh token");
                    break;
                case GrantTypes.Password:
                    context.Reject(Errors.UnauthorizedClient, "Client not allowed for direct access grants");
                    break;
            }

            return default;
        }
    }

    /// <summary>
    /// Keycloak's <c>ClientCredentialsGrantType.process</c>: the client must have service accounts (401
    /// <c>unauthorized_client</c>), its service-account user must be enabled (401 <c>invalid_request</c>), and only its
    /// default and optional scopes may be requested (400 <c>invalid_scope</c>).
    /// </summary>
    public sealed class ValidateServiceAccount(RealmModel realm) : IOpenIddictServerHandler<ValidateTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ValidateTokenRequestContext>()
                .UseSingletonHandler<ValidateServiceAccount>()
                .SetOrder(Before(4))
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ValidateTokenRequestContext context)
        {
            if (!context.Request.IsClientCredentialsGrantType() || realm.FindClient(context.Request.ClientId) is not { } client)
            {
                return default;
            }

            if (!client.ServiceAccountsEnabled)
            {
                KeycloakStatus.Reject(context, Errors.UnauthorizedClient, "Client not enabled to retrieve service account", StatusCodes.Status401Unauthorized);
                return default;
            }

            if (!client.ServiceAccountUserEnabled)
            {
                KeycloakStatus.Reject(context, Errors.InvalidRequest, $"User '{client.ServiceAccountUsername}' disabled", StatusCodes.Status401Unauthorized);
                return default;
            }

            var requested = context.Request.GetScopes();
            if (requested.Any(scope => !client.DefaultScopes.Contains(scope) && !client.OptionalScopes.Contains(scope)))
            {
                context.Reject(Errors.InvalidScope, $"Invalid scopes: {context.Request.Scope}");
            }

            return default;
        }
    }

    /// <summary>Builds the service account's principal: the claims of a Keycloak 26 client-credentials token.</summary>
    public sealed class IssueServiceAccountToken(RealmModel realm) : IOpenIddictServerHandler<HandleTokenRequestContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<HandleTokenRequestContext>()
                .UseSingletonHandler<IssueServiceAccountToken>()
                .SetOrder(OpenIddictServerHandlers.Exchange.AttachPrincipal.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(HandleTokenRequestContext context)
        {
            if (!context.Request.IsClientCredentialsGrantType() || realm.FindClient(context.Request.ClientId) is not { } client)
            {
                return default;
            }

            // Default scopes always, optional ones only on request (the validation handler rejected anything else).
            var granted = client.DefaultScopes.Union(context.Request.GetScopes().Where(client.OptionalScopes.Contains))
                .Select(name => realm.Scopes[name])
                .ToList();

            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.PreferredUsername, Claims.Role);
            identity.SetClaim(Claims.Subject, client.ServiceAccountUserId)
                .SetClaim(KeycloakClaims.TokenType, "Bearer")
                .SetClaim(Claims.AuthorizedParty, client.ClientId)
                .SetClaim(Claims.ClientId, client.ClientId)
                .SetClaim(Claims.PreferredUsername, client.ServiceAccountUsername);
            identity.SetScopes(granted.Where(s => s.IncludeInTokenScope).Select(s => s.Name));
            identity.SetAudiences(granted.SelectMany(s => s.Audiences).Distinct(StringComparer.Ordinal));
            identity.SetPresenters(client.ClientId);
            identity.SetAccessTokenLifetime(client.AccessTokenLifespan ?? realm.AccessTokenLifespan);
            identity.SetDestinations(static _ => [Destinations.AccessToken]);

            context.SignIn(new ClaimsPrincipal(identity));
            return default;
        }
    }

    /// <summary>Keycloak's token response: <c>scope</c> always, <c>expires_in</c> = exp − iat, no refresh token.</summary>
    public sealed class AttachKeycloakResponseParameters : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public static OpenIddictServerHandlerDescriptor Descriptor { get; } =
            OpenIddictServerHandlerDescriptor.CreateBuilder<ProcessSignInContext>()
                .UseSingletonHandler<AttachKeycloakResponseParameters>()
                .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order + 500)
                .SetType(OpenIddictServerHandlerType.Custom)
                .Build();

        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            // A token exchange's token is OpenIddict's "issued token" (RFC 8693), returned as access_token.
            if (context.EndpointType is not OpenIddictServerEndpointType.Token || (context.AccessTokenPrincipal ?? context.IssuedTokenPrincipal) is not { } principal)
            {
                return default;
            }

            var (issuedAt, expiresAt) = KeycloakClaims.Lifetime(principal);
            context.Response.ExpiresIn = expiresAt - issuedAt;
            context.Response.Scope = string.Join(' ', principal.GetScopes());
            context.Response["refresh_expires_in"] = 0;
            context.Response["not-before-policy"] = 0;
            return default;
        }
    }
}
