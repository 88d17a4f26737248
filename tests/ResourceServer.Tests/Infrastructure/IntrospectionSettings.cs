using TestSupport;

namespace ResourceServer.Tests.Infrastructure;

/// <summary>Settings that put the test resource server in introspection mode, as the IdP's client billing-api.</summary>
public static class IntrospectionSettings
{
    public static Dictionary<string, string?> For(EmbeddedIdpFixture idp, string? secret = null) => new()
    {
        ["ResourceServer:TokenValidation"] = "Introspection",
        ["ResourceServer:Introspection:ClientSecret"] = secret ?? idp.SecretOf(ResourceServerHost.Audience),
    };

    public static Dictionary<string, string?> With(this Dictionary<string, string?> settings, string key, string? value)
    {
        settings[key] = value;
        return settings;
    }
}
