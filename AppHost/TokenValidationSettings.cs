using Microsoft.Extensions.Configuration;

namespace AppHost;

/// <summary>How Billing.Api and Payments.Api check the tokens they receive (the services' <c>ResourceServer:TokenValidation</c>).</summary>
internal enum TokenValidation
{
    /// <summary>Locally, as signed JWTs against the IdP's keys.</summary>
    Jwt,

    /// <summary>At the IdP's introspection endpoint, each service as its own confidential client.</summary>
    Introspection,
}

/// <summary>
/// The AppHost settings <c>TokenValidation</c> (Jwt|Introspection) and <c>LightweightAccessTokens</c> (the realm's switch
/// for Keycloak's lightweight tokens, which only introspection can read), e.g.
/// <c>dotnet run --project AppHost -- TokenValidation=Introspection LightweightAccessTokens=true</c>.
/// </summary>
internal sealed record TokenValidationSettings(TokenValidation Mode, bool LightweightAccessTokens)
{
    private const string ModeKey = "TokenValidation";
    private const string LightweightKey = "LightweightAccessTokens";

    public static TokenValidationSettings From(IConfiguration configuration)
    {
        var setting = configuration[ModeKey] ?? nameof(TokenValidation.Jwt);
        if (!Enum.TryParse<TokenValidation>(setting, ignoreCase: true, out var mode) || !Enum.IsDefined(mode))
        {
            throw new InvalidOperationException($"{ModeKey} is '{setting}'; expected Jwt or Introspection.");
        }

        var lightweightSetting = configuration[LightweightKey] ?? "false";
        if (!bool.TryParse(lightweightSetting, out var lightweight))
        {
            throw new InvalidOperationException($"{LightweightKey} is '{lightweightSetting}'; expected true or false.");
        }

        // A lightweight token has no audience: services validating JWTs locally would refuse every call.
        if (lightweight && mode != TokenValidation.Introspection)
        {
            throw new InvalidOperationException($"{LightweightKey}=true needs {ModeKey}=Introspection: lightweight tokens carry no audience to validate locally.");
        }

        return new TokenValidationSettings(mode, lightweight);
    }

    /// <summary>Sets the realm file's <c>${LIGHTWEIGHT_ACCESS_TOKENS:false}</c> placeholder for Keycloak's import or EmbeddedIdp.</summary>
    public IResourceBuilder<T> AddToRealm<T>(IResourceBuilder<T> idp) where T : IResourceWithEnvironment =>
        idp.WithEnvironment("LIGHTWEIGHT_ACCESS_TOKENS", LightweightAccessTokens ? "true" : "false");
}
