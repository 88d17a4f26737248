namespace TokenClient;

/// <summary>RFC 8693 names used on the wire.</summary>
public static class TokenExchange
{
    public const string GrantType = "urn:ietf:params:oauth:grant-type:token-exchange";

    /// <summary>The only subject and requested token type Keycloak's standard token exchange takes.</summary>
    public const string AccessTokenType = "urn:ietf:params:oauth:token-type:access_token";
}
