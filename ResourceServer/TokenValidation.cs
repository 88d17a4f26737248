namespace ResourceServer;

/// <summary>How a resource server checks a bearer token (setting <c>ResourceServer:TokenValidation</c>).</summary>
public enum TokenValidation
{
    /// <summary>Locally, as a signed JWT, against the issuer's published keys: no call to the IdP per token.</summary>
    Jwt,

    /// <summary>By asking the IdP's introspection endpoint (RFC 7662), authenticated as this API's own confidential client.</summary>
    Introspection,
}
