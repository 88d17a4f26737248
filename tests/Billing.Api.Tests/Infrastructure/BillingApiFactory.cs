using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace Billing.Api.Tests.Infrastructure;

/// <summary>
/// Billing.Api in-process, validating tokens against the given IdP over HTTP, with its SQLite file in a temp folder.
/// Test-only additions: the <see cref="TestTokens.TrustedKey"/>, a JWKS request counter, and an in-memory log collector.
/// </summary>
public sealed class BillingApiFactory(string authority, IReadOnlyDictionary<string, string?>? settings = null)
    : WebApplicationFactory<EntryPoint>
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("billing-tests-").FullName;

    public JwksRequestCounter Jwks { get; } = new();

    public FakeLogCollector Logs => Services.GetRequiredService<FakeLogCollector>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureAppConfiguration(config =>
        {
            config.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ResourceServer:Authority"] = authority,
                ["ResourceServer:Audience"] = "billing-api",
                ["ConnectionStrings:billing-db"] = $"Data Source={Path.Combine(_dataDirectory, "billing.db")}",
                // JwtBearer's own messages too, so the "never logs the token" test covers them.
                ["Logging:LogLevel:Microsoft.AspNetCore.Authentication"] = "Debug",
            });
            if (settings is not null)
            {
                config.AddInMemoryCollection(settings);
            }
        });
        builder.ConfigureTestServices(services =>
        {
            services.AddFakeLogging();
            services.Configure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options => options.BackchannelHttpHandler = Jwks);
            // The test-only key, trusted here and nowhere else, so tests can sign tokens with crafted claims.
            services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme,
                options => options.TokenValidationParameters.IssuerSigningKeys = [TestTokens.TrustedKey, TestTokens.TrustedEcKey]);
        });
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}

/// <summary>Passes the metadata requests through and counts those for the JWKS.</summary>
public sealed class JwksRequestCounter() : DelegatingHandler(new HttpClientHandler())
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.AbsolutePath.EndsWith("/certs", StringComparison.Ordinal) == true)
        {
            Interlocked.Increment(ref _count);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
