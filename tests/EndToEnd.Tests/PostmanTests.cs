using System.Text.Json.Nodes;
using TestSupport;

namespace EndToEnd.Tests;

/// <summary>The Postman collection under <c>postman/</c>, run by newman against the running AppHost.</summary>
[Collection(AppHostCollection.Name)]
public sealed class PostmanTests(AppHostFixture appHost)
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Newman_runs_the_collection_with_every_request_and_assertion_passing()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var newman = ExternalTool.Find("newman");
        Assert.SkipWhen(newman is null, "newman is not installed (npm install -g newman; .ci/run installs it), so the Postman collection cannot run here.");

        // The environment file with this AppHost's URLs and secrets, in a temporary file rather than on a command line.
        var environment = JsonNode.Parse(await File.ReadAllTextAsync(RepositoryRoot.Combine("postman", "M2MDemo.postman_environment.json"), cancellationToken))!;
        var values = new Dictionary<string, string>
        {
            ["issuer"] = appHost.Issuer,
            ["paymentsUrl"] = appHost.UrlOf("payments-api"),
            ["billingUrl"] = appHost.UrlOf("billing-api"),
            ["checkoutClientSecret"] = appHost.SecretOf("checkout-service"),
            ["paymentsServiceClientSecret"] = appHost.SecretOf("payments-service"),
        };
        foreach (var variable in environment["values"]!.AsArray())
        {
            var key = variable!["key"]!.GetValue<string>();
            Assert.True(values.ContainsKey(key), $"The test does not know the environment variable '{key}'.");
            variable["value"] = values[key];
        }

        var environmentFile = Path.Combine(Path.GetTempPath(), $"m2mdemo-postman-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(environmentFile, environment.ToJsonString(), cancellationToken);
        try
        {
            var result = await ExternalTool.RunAsync(
                newman!,
                ["run", RepositoryRoot.Combine("postman", "M2MDemo.postman_collection.json"), "--environment", environmentFile,
                 "--reporters", "cli", "--color", "off", "--disable-unicode", "--timeout-request", "30000"],
                RunTimeout,
                cancellationToken);

            // newman exits non-zero when a request fails or a test script's assertion fails.
            Assert.True(result.ExitCode == 0, result.Output);
            Assert.Contains("Read the payment", result.Output);
            Assert.Contains("Invoices of a payment", result.Output);
        }
        finally
        {
            File.Delete(environmentFile);
        }
    }
}
