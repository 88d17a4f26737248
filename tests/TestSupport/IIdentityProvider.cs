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

    /// <summary>Withdraws a passive signing key: JWKS drops it and its tokens stop verifying (Keycloak: deleting its key provider).</summary>
    Task WithdrawSigningKeyAsync(string kid, CancellationToken cancellationToken = default);
}

/// <summary>
/// What EmbeddedIdp and Keycloak 26 still answer differently, each with its reason, so the shared tests hold each IdP
/// to its exact answer instead of loosening the checks. Everything else (status, error, description) is the same for
/// both. The Keycloak values are read from its source; they run wherever a container engine answers.
/// </summary>
public sealed record IdpDialect
{
    /// <summary>
    /// client_secret_basic and client_secret_post in one request: Keycloak's ClientIdAndSecretAuthenticator lets the
    /// form's credentials win and issues the token (200); RFC 6749 §2.3 forbids two methods, and EmbeddedIdp keeps the
    /// stricter 400 <c>invalid_request</c> on purpose.
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

    /// <summary>Keycloak 26's client-credentials <c>jti</c>: transient session, regular token, grant <c>cc</c>, then a UUID.</summary>
    public const string ClientCredentialsJwtIdPattern = "^trrtcc:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

    /// <summary>An exchanged token's <c>jti</c>: the exchange of a client-credentials token keeps a transient session, grant <c>te</c>.</summary>
    public const string TokenExchangeJwtIdPattern = "^trrtte:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

    public static IdpDialect EmbeddedIdp { get; } = new()
    {
        BothSecretMethodsStatus = 400,
        LifetimeClockSlack = 0,
        ExchangeForIdTokenStatus = 400,
    };

    public static IdpDialect Keycloak { get; } = new()
    {
        BothSecretMethodsStatus = 200,
        LifetimeClockSlack = 1,
        ExchangeForIdTokenStatus = 200,
    };
}
