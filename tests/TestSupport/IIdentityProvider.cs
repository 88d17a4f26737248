namespace TestSupport;

/// <summary>
/// "An IdP at a base URL with these client secrets": what the conformance tests need, so the same test
/// classes run against EmbeddedIdp and against Keycloak in a container.
/// </summary>
public interface IIdentityProvider
{
    /// <summary>http://host:port/ (with a trailing slash).</summary>
    Uri BaseAddress { get; }

    /// <summary>{BaseAddress}realms/m2m, without a trailing slash.</summary>
    string Issuer { get; }

    /// <summary>{Issuer}/protocol/openid-connect/token.</summary>
    string TokenEndpoint { get; }

    /// <summary>The secret of payments-service, checkout-service, billing-api or payments-api.</summary>
    string SecretOf(string clientId);

    /// <summary>A client-credentials access token for <paramref name="clientId"/>; without a scope, its default scopes.</summary>
    Task<string> GetAccessTokenAsync(string clientId, string? scope = null, CancellationToken ct = default);

    /// <summary>Where this IdP knowingly differs from the other; the tests assert the exact value per IdP.</summary>
    IdpDialect Dialect { get; }

    /// <summary>Makes a new signing key active while the previous one keeps verifying (Keycloak: a higher-priority key provider).</summary>
    Task RotateSigningKeyAsync(CancellationToken cancellationToken = default);
}

/// <summary>
/// The known differences between EmbeddedIdp and Keycloak 26 (KEYCLOAK.md and Keycloak's source), made explicit
/// so each IdP is held to its exact answer instead of loosening the checks. The Keycloak values are read from its
/// source and not yet run here (no container engine).
/// </summary>
public sealed record IdpDialect
{
    /// <summary>RFC 6749 says <c>invalid_client</c>; Keycloak answers a wrong secret with <c>unauthorized_client</c>.</summary>
    public required string WrongSecretError { get; init; }

    /// <summary>Status of <c>unauthorized_client</c> for a client without service accounts (RFC 6749: 400; Keycloak: 401).</summary>
    public required int ServiceAccountsDisabledStatus { get; init; }

    /// <summary>The form of <c>jti</c>: EmbeddedIdp a bare UUID, Keycloak a prefixed one.</summary>
    public required string JwtIdPattern { get; init; }

    /// <summary>GET on the token endpoint: EmbeddedIdp answers 400 invalid_request, Keycloak's JAX-RS 405.</summary>
    public required int WrongMethodStatus { get; init; }

    /// <summary>A JSON body at the token endpoint: EmbeddedIdp 400 invalid_request, Keycloak 415.</summary>
    public required int WrongContentTypeStatus { get; init; }

    /// <summary>Revoking another client's token: EmbeddedIdp ignores it (RFC 7009: 200), Keycloak answers 401. Never revoked.</summary>
    public required int ForeignRevocationStatus { get; init; }

    /// <summary>
    /// client_secret_basic and client_secret_post in one request: EmbeddedIdp 400 invalid_request (RFC 6749 §2.3);
    /// Keycloak's ClientIdAndSecretAuthenticator lets the form's client_id/client_secret win and issues the token (200).
    /// </summary>
    public required int BothSecretMethodsStatus { get; init; }

    /// <summary>
    /// Seconds by which <c>exp - iat</c> and <c>expires_in</c> may drift from the lifetime: EmbeddedIdp reads the clock
    /// once; Keycloak reads it separately for <c>iat</c>, <c>exp</c> and (when writing the response) <c>expires_in = exp - now</c>.
    /// </summary>
    public required int LifetimeClockSlack { get; init; }

    /// <summary>
    /// Token exchange with <c>requested_token_type</c> id_token: Keycloak issues an ID token (200); EmbeddedIdp issues
    /// no ID tokens and answers 400 invalid_request "requested_token_type unsupported".
    /// </summary>
    public required int ExchangeForIdTokenStatus { get; init; }

    public static IdpDialect EmbeddedIdp { get; } = new()
    {
        WrongSecretError = "invalid_client",
        ServiceAccountsDisabledStatus = 400,
        JwtIdPattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$",
        WrongMethodStatus = 400,
        WrongContentTypeStatus = 400,
        ForeignRevocationStatus = 200,
        BothSecretMethodsStatus = 400,
        LifetimeClockSlack = 0,
        ExchangeForIdTokenStatus = 400,
    };

    public static IdpDialect Keycloak { get; } = new()
    {
        WrongSecretError = "unauthorized_client",
        ServiceAccountsDisabledStatus = 401,
        JwtIdPattern = "^[a-z]{2,10}:[0-9a-f-]{36}$",
        WrongMethodStatus = 405,
        WrongContentTypeStatus = 415,
        ForeignRevocationStatus = 401,
        BothSecretMethodsStatus = 200,
        LifetimeClockSlack = 1,
        ExchangeForIdTokenStatus = 200,
    };
}
