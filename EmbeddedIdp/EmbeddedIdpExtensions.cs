using System.Security.Cryptography;
using EmbeddedIdp.Keys;
using EmbeddedIdp.Realm;
using EmbeddedIdp.Server;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.EntityFrameworkCore.Models;
using OpenIddict.Server;

namespace EmbeddedIdp;

public static class EmbeddedIdpExtensions
{
    /// <summary>
    /// The Keycloak-compatible OpenIddict server: realm from <c>Realm:Path</c>, keys and token entries under
    /// <c>EmbeddedIdp:DataPath</c>, Keycloak's URL layout, client credentials and standard token exchange.
    /// </summary>
    public static WebApplicationBuilder AddEmbeddedIdp(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EmbeddedIdpOptions>().BindConfiguration(EmbeddedIdpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RealmOptions>().BindConfiguration(RealmOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmbeddedIdpOptions>, EmbeddedIdpOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);

        var contentRoot = builder.Environment.ContentRootPath;
        services.AddSingleton(sp => RealmLoader.Load(
            Path.GetFullPath(sp.GetRequiredService<IOptions<RealmOptions>>().Value.Path, contentRoot),
            sp.GetRequiredService<IConfiguration>(),
            sp.GetRequiredService<ILoggerFactory>().CreateLogger("EmbeddedIdp.Realm")));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<EmbeddedIdpOptions>>().Value;
            return SigningKeyStore.Open(DataPath(options, contentRoot), options.RotateSigningKey,
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("EmbeddedIdp.Keys"));
        });
        services.AddSingleton<Issuer>();
        services.AddSingleton<RealmApplications>();
        services.AddScoped<SubjectTokenValidator>();

        services.AddDbContextPool<IdpDbContext>((sp, db) =>
        {
            var options = sp.GetRequiredService<IOptions<EmbeddedIdpOptions>>().Value;
            db.UseSqlite($"Data Source={Path.Combine(DataPath(options, contentRoot), "embedded-idp.db")}");
            db.AddInterceptors(new SqliteTuning());
            db.UseOpenIddict();
        });

        services.AddOpenIddict()
            .AddCore(core =>
            {
                core.UseEntityFrameworkCore().UseDbContext<IdpDbContext>();
                core.ReplaceApplicationManager<OpenIddictEntityFrameworkCoreApplication, RealmApplicationManager>();
            })
            .AddServer(server =>
            {
                server.AllowClientCredentialsFlow();
                // Keycloak's standard token exchange (RFC 8693) for clients with standard.token.exchange.enabled.
                server.AllowTokenExchangeFlow();
                server.DisableAccessTokenEncryption();
                // OpenIddict insists on an encryption key although access tokens are only signed and nothing else is
                // issued; a random symmetric key costs nothing at startup (an ephemeral RSA key means a key generation).
                server.AddEncryptionKey(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)));
                // Scope existence is checked against the realm by TokenRequestHandlers.ValidateRealmScopes.
                server.DisableScopeValidation();
                foreach (var handler in TokenRequestHandlers.All.Concat(TokenFormatHandlers.All).Concat(LightweightTokenHandlers.All)
                             .Concat(OpaqueTokenHandlers.All).Concat(TokenExchangeHandlers.All).Concat(IntrospectionHandlers.All)
                             .Concat(RevocationHandlers.All).Concat(KeycloakStatus.All).Append(PinnedDiscoveryUrls.Descriptor))
                {
                    server.AddEventHandler(handler);
                }

                foreach (var handler in TokenExchangeHandlers.Replaced)
                {
                    server.RemoveEventHandler(handler);
                }

                server.UseAspNetCore().DisableTransportSecurityRequirement();
            });

        services.AddOptions<OpenIddictServerOptions>().Configure<RealmModel, SigningKeyStore>((options, realm, keys) =>
        {
            // Only Keycloak's paths: OpenIddict's defaults (/.well-known/...) are dropped.
            options.ConfigurationEndpointUris.Clear();
            options.JsonWebKeySetEndpointUris.Clear();
            options.ConfigurationEndpointUris.Add(new Uri(Issuer.Path(realm, ".well-known/openid-configuration"), UriKind.Relative));
            options.JsonWebKeySetEndpointUris.Add(new Uri(Issuer.Path(realm, "protocol/openid-connect/certs"), UriKind.Relative));
            options.TokenEndpointUris.Add(new Uri(Issuer.Path(realm, "protocol/openid-connect/token"), UriKind.Relative));
            options.IntrospectionEndpointUris.Add(new Uri(Issuer.Path(realm, "protocol/openid-connect/token/introspect"), UriKind.Relative));
            options.RevocationEndpointUris.Add(new Uri(Issuer.Path(realm, "protocol/openid-connect/revoke"), UriKind.Relative));
            options.Scopes.UnionWith(realm.Scopes.Values.Where(s => s.IncludeInTokenScope).Select(s => s.Name));
            foreach (var key in keys.Keys)
            {
                options.SigningCredentials.Add(new(key, SecurityAlgorithms.RsaSha256));
            }
        });

        services.AddSingleton<WarmUp>();
        services.AddHostedService(sp => sp.GetRequiredService<WarmUp>());
        services.AddHostedService<TokenPruning>();
        services.AddHealthChecks().AddCheck<WarmUp>("embedded-idp");
        return builder;
    }

    /// <summary>Loads the realm and keys (a bad realm file stops startup here) and mirrors the clients into OpenIddict.</summary>
    public static async Task InitializeEmbeddedIdpAsync(this WebApplication app)
    {
        _ = app.Services.GetRequiredService<SigningKeyStore>();
        await RealmSeeder.SeedAsync(app.Services);
    }

    /// <summary>Request hardening in front of OpenIddict, then OpenIddict itself (it runs as an authentication handler).</summary>
    public static WebApplication UseEmbeddedIdp(this WebApplication app)
    {
        if (!app.Environment.IsDevelopment())
        {
            app.UseMiddleware<IssuerHostFilter>();
        }

        app.UseMiddleware<OAuthRequestGuard>();
        app.UseMiddleware<WebOriginsCors>();
        app.UseMiddleware<ClientAuthenticationThrottle>();
        app.UseAuthentication();
        return app;
    }

    private static string DataPath(EmbeddedIdpOptions options, string contentRoot)
    {
        var path = Path.GetFullPath(options.DataPath, contentRoot);
        Directory.CreateDirectory(path);
        return path;
    }
}
