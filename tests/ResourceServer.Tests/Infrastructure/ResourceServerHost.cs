using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using TestSupport;

namespace ResourceServer.Tests.Infrastructure;

/// <summary>
/// The building block on a bare Kestrel host, composed as a service composes it: <c>AddResourceServer()</c>, <c>/health</c>,
/// and one endpoint per scope (<see cref="Resource"/>). Test-only additions: the <see cref="TestTokens"/> keys are trusted,
/// JWKS requests are counted, logs are collected.
/// </summary>
public sealed class ResourceServerHost : IAsyncDisposable
{
    public const string Audience = "billing-api";

    private readonly WebApplication _app;

    private ResourceServerHost(WebApplication app, JwksRequestCounter jwks)
    {
        _app = app;
        Jwks = jwks;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
    }

    public Uri BaseAddress { get; }

    public JwksRequestCounter Jwks { get; }

    public FakeLogCollector Logs => _app.Services.GetRequiredService<FakeLogCollector>();

    /// <summary>Starts a resource server for audience <see cref="Audience"/> that trusts the IdP at <paramref name="authority"/>.</summary>
    /// <remarks><paramref name="configure"/> runs last, e.g. to replace the <see cref="TimeProvider"/>.</remarks>
    public static async Task<ResourceServerHost> StartAsync(
        string authority, IReadOnlyDictionary<string, string?>? settings = null, Action<IServiceCollection>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = Environments.Development });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ResourceServer:Authority"] = authority,
            ["ResourceServer:Audience"] = Audience,
            // JwtBearer's own messages too, so the "never logs the token" test covers them.
            ["Logging:LogLevel:Microsoft.AspNetCore.Authentication"] = "Debug",
            ["Logging:LogLevel:ResourceServer"] = "Debug",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddResourceServer();
        builder.Logging.ClearProviders();
        builder.Services.AddFakeLogging();
        var jwks = new JwksRequestCounter();
        builder.Services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options => options.BackchannelHttpHandler = jwks);
        // The test-only keys, trusted here and nowhere else, so tests can sign tokens with crafted claims.
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme,
            options => options.TokenValidationParameters.IssuerSigningKeys = [TestTokens.TrustedKey, TestTokens.TrustedEcKey]);

        configure?.Invoke(builder.Services);

        var app = builder.Build();
        app.MapHealthChecks("/health");
        app.MapGet(Resource.Path, (ClaimsPrincipal user) => TypedResults.Ok(user.FindFirstValue("client_id"))).RequireScope(Resource.ReadScope);
        app.MapPost(Resource.Path, (ClaimsPrincipal user) => TypedResults.Ok(user.FindFirstValue("client_id"))).RequireScope(Resource.WriteScope);
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new ResourceServerHost(app, jwks);
    }

    /// <summary>Sends header values as UTF-8, so a test can put any text on the wire, not only what HttpClient deems valid.</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8 })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
