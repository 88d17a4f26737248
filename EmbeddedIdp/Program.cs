using EmbeddedIdp;

var builder = WebApplication.CreateBuilder(args);
// `--rotate-signing-key true` makes a new signing key active at startup; the previous one keeps verifying.
builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--rotate-signing-key"] = "EmbeddedIdp:RotateSigningKey" });

builder.AddServiceDefaults();
builder.AddEmbeddedIdp();

var app = builder.Build();

app.UseEmbeddedIdp();
app.MapDefaultEndpoints();

await app.InitializeEmbeddedIdpAsync();
app.Run();
