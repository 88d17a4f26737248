using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using TestSupport;

namespace Billing.Api.Tests.Infrastructure;

/// <summary>Billing.Api in-process, validating tokens against the given IdP over HTTP, with its SQLite file in a temp folder.</summary>
/// <remarks>Test-only additions: the <see cref="TestTokens"/> keys are trusted, logs are collected in memory.</remarks>
public sealed class BillingApiFactory(string authority) : WebApplicationFactory<EntryPoint>
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("billing-tests-").FullName;

    public FakeLogCollector Logs => Services.GetRequiredService<FakeLogCollector>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ResourceServer:Authority", authority);
        builder.UseSetting("ResourceServer:Audience", "billing-api");
        builder.UseSetting("ConnectionStrings:billing-db", $"Data Source={Path.Combine(_dataDirectory, "billing.db")}");
        builder.ConfigureTestServices(services =>
        {
            services.AddFakeLogging();
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
