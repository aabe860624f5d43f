/**
 * BuildKit's build check rules (`frontend/dockerfile/linter/ruleset.go`): the same names, the same
 * one-line descriptions and the same message texts, so output and `# check=skip=<Name>` carry over
 * from docker unchanged. Each rule also has a link-free explanation (this machine has no web docs).
 */

/** One rule. `format` builds BuildKit's message from the rule's arguments. */
export interface CheckRule<A extends readonly string[] = readonly string[]> {
  name: string;
  /** BuildKit's description (docker prints it under the rule name). */
  description: string;
  /** What is wrong and what to do instead, in one line, without links. */
  explanation: string;
  /** The docs page docker links to. */
  url: string;
  /** Experimental rules run only when enabled (`# check=experimental=<Name>`). */
  experimental?: boolean;
  /** Appended to the message (after BuildKit's text) where the text alone does not say enough. */
  hint?: string;
  format: (...args: A) => string;
}

const docs = (slug: string): string => `https://docs.docker.com/go/dockerfile/rule/${slug}/`;
/** Go's `%q` for the names and paths these messages quote (plain ASCII in practice). */
const q = (s: string): string => JSON.stringify(s);

function rule<A extends readonly string[]>(r: CheckRule<A>): CheckRule<A> {
  return Object.freeze(r);
}

export const StageNameCasing = rule({
  name: 'StageNameCasing',
  description: 'Stage names should be lowercase',
  explanation: 'Stage names are matched case-insensitively and stored lower-case; write them in lower case to avoid confusion.',
  url: docs('stage-name-casing'),
  format: (stageName: string) => `Stage name '${stageName}' should be lowercase`,
});

export const FromAsCasing = rule({
  name: 'FromAsCasing',
  description: "The 'as' keyword should match the case of the 'from' keyword",
  explanation: "Write 'FROM … AS name' or 'from … as name', not a mix of cases.",
  url: docs('from-as-casing'),
  format: (from: string, as: string) => `'${as}' and '${from}' keywords' casing do not match`,
});

export const NoEmptyContinuation = rule({
  name: 'NoEmptyContinuation',
  description: 'Empty continuation lines will become errors in a future release',
  explanation: 'An empty line inside a backslash-continued instruction is dropped today and will be an error later; remove it.',
  url: docs('no-empty-continuation'),
  format: () => 'Empty continuation line',
});

export const ConsistentInstructionCasing = rule({
  name: 'ConsistentInstructionCasing',
  description: 'All commands within the Dockerfile should use the same casing (either upper or lower)',
  explanation: 'Write every instruction keyword in the same case as most of the file (usually upper case).',
  url: docs('consistent-instruction-casing'),
  format: (violatingCommand: string, correctCasing: string) =>
    `Command '${violatingCommand}' should match the case of the command majority (${correctCasing})`,
});

export const DuplicateStageName = rule({
  name: 'DuplicateStageName',
  description: 'Stage names should be unique',
  explanation: 'Two stages with one name make --from and --target refer to the last of them only; rename one.',
  url: docs('duplicate-stage-name'),
  format: (stageName: string) => `Duplicate stage name ${q(stageName)}, stage names should be unique`,
});

export const ReservedStageName = rule({
  name: 'ReservedStageName',
  description: 'Reserved words should not be used as stage names',
  explanation: "'scratch' and 'context' already mean the empty image and the build context; choose another stage name.",
  url: docs('reserved-stage-name'),
  format: (reservedStageName: string) => `Stage name should not use the same name as reserved stage ${q(reservedStageName)}`,
});

export const JSONArgsRecommended = rule({
  name: 'JSONArgsRecommended',
  description: 'JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals',
  explanation: 'Shell form runs the command under /bin/sh -c, which does not forward signals such as SIGTERM; use the JSON form ["cmd", "arg"].',
  url: docs('json-args-recommended'),
  format: (instructionName: string) =>
    `JSON arguments recommended for ${instructionName} to prevent unintended behavior related to OS signals`,
});

export const MaintainerDeprecated = rule({
  name: 'MaintainerDeprecated',
  description: 'The MAINTAINER instruction is deprecated, use a label instead to define an image author',
  explanation: 'Use LABEL org.opencontainers.image.authors="…" instead of MAINTAINER.',
  url: docs('maintainer-deprecated'),
  format: () => 'Maintainer instruction is deprecated in favor of using label',
});

export const UndefinedArgInFrom = rule({
  name: 'UndefinedArgInFrom',
  description: 'FROM command must use declared ARGs',
  explanation: 'A variable in FROM must be an ARG declared before the first FROM (or a predefined platform arg).',
  url: docs('undefined-arg-in-from'),
  format: (baseArg: string, suggest: string) =>
    `FROM argument '${baseArg}' is not declared${suggest !== '' ? ` (did you mean ${suggest}?)` : ''}`,
});

export const WorkdirRelativePath = rule({
  name: 'WorkdirRelativePath',
  description:
    'Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes',
  explanation: 'A relative WORKDIR resolves against the base image\'s working directory; set an absolute WORKDIR first.',
  url: docs('workdir-relative-path'),
  format: (workdir: string) => `Relative workdir ${q(workdir)} can have unexpected results if the base image changes`,
});

export const UndefinedVar = rule({
  name: 'UndefinedVar',
  description: 'Variables should be defined before their use',
  explanation: 'The variable is neither an ARG nor an ENV at this point and expands to an empty string; declare it or fix the name.',
  url: docs('undefined-var'),
  format: (arg: string, suggest: string) => `Usage of undefined variable '$${arg}'${suggest !== '' ? ` (did you mean $${suggest}?)` : ''}`,
});

export const MultipleInstructionsDisallowed = rule({
  name: 'MultipleInstructionsDisallowed',
  description: 'Multiple instructions of the same type should not be used in the same stage',
  explanation: 'Only the last CMD, ENTRYPOINT or HEALTHCHECK of a stage takes effect; remove the earlier ones.',
  url: docs('multiple-instructions-disallowed'),
  format: (instructionName: string) =>
    `Multiple ${instructionName} instructions should not be used in the same stage because only the last one will be used`,
});

export const LegacyKeyValueFormat = rule({
  name: 'LegacyKeyValueFormat',
  description: 'Legacy key/value format with whitespace separator should not be used',
  explanation: "Write 'ENV key=value' (and 'LABEL key=value'): the space-separated form is ambiguous and deprecated.",
  url: docs('legacy-key-value-format'),
  format: (cmdName: string) => `"${cmdName} key=value" should be used instead of legacy "${cmdName} key value" format`,
});

export const InvalidBaseImagePlatform = rule({
  name: 'InvalidBaseImagePlatform',
  description: 'Base image platform does not match expected target platform',
  explanation: 'The base image was resolved for another OS or architecture than the build targets; its binaries may not run.',
  url: '',
  format: (image: string, expected: string, actual: string) =>
    `Base image ${image} was pulled with platform ${q(actual)}, expected ${q(expected)} for current build`,
});

export const RedundantTargetPlatform = rule({
  name: 'RedundantTargetPlatform',
  description: 'Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior',
  explanation: 'FROM already uses the target platform; drop --platform=$TARGETPLATFORM.',
  url: docs('redundant-target-platform'),
  format: (platformVar: string) => `Setting platform to predefined ${platformVar} in FROM is redundant as this is the default behavior`,
});

export const SecretsUsedInArgOrEnv = rule({
  name: 'SecretsUsedInArgOrEnv',
  description: 'Sensitive data should not be used in the ARG or ENV commands',
  explanation:
    'ARG and ENV values are stored in the image: the image history reveals them (docker history shows every RUN with its build args) and ENV stays in the config; pass secrets with --secret and RUN --mount=type=secret instead.',
  url: docs('secrets-used-in-arg-or-env'),
  hint: 'the image history reveals ARG and ENV values; pass secrets with --secret and RUN --mount=type=secret instead',
  format: (instruction: string, secretKey: string) =>
    `Do not use ARG or ENV instructions for sensitive data (${instruction} ${q(secretKey)})`,
});

export const InvalidDefaultArgInFrom = rule({
  name: 'InvalidDefaultArgInFrom',
  description: 'Default value for global ARG results in an empty or invalid base image name',
  explanation: 'Without --build-arg the FROM line expands to an empty or invalid image name; give the ARG a valid default.',
  url: docs('invalid-default-arg-in-from'),
  format: (baseName: string) => `Default value for ARG ${baseName} results in empty or invalid base image name`,
});

export const FromPlatformFlagConstDisallowed = rule({
  name: 'FromPlatformFlagConstDisallowed',
  description: 'FROM --platform flag should not use a constant value',
  explanation: 'A constant --platform pins the stage to one platform whatever the build targets; use $BUILDPLATFORM or $TARGETPLATFORM.',
  url: docs('from-platform-flag-const-disallowed'),
  format: (platform: string) => `FROM --platform flag should not use constant value ${q(platform)}`,
});

export const CopyIgnoredFile = rule({
  name: 'CopyIgnoredFile',
  description: 'Attempting to Copy file that is excluded by .dockerignore',
  explanation: 'Files matched by .dockerignore are not sent to the builder, so this COPY/ADD source will be missing.',
  url: docs('copy-ignored-file'),
  format: (cmd: string, file: string) => `Attempting to ${cmd} file ${q(file)} that is excluded by .dockerignore`,
});

export const InvalidDefinitionDescription = rule({
  name: 'InvalidDefinitionDescription',
  description:
    'Comment for build stage or argument should follow the format: `# <arg/stage name> <description>`. If this is not intended to be a description comment, add an empty line or comment between the instruction and the comment.',
  explanation: 'A comment right above ARG or FROM … AS documents it only when it starts with the name.',
  url: docs('invalid-definition-description'),
  experimental: true,
  format: (instruction: string, defName: string) => `Comment for ${instruction} should follow the format: \`# ${defName} <description>\``,
});

export const ExposeProtoCasing = rule({
  name: 'ExposeProtoCasing',
  description: 'Protocol in EXPOSE instruction should be lowercase',
  explanation: 'Write the protocol in lower case: 53/udp, not 53/UDP.',
  url: docs('expose-proto-casing'),
  format: (port: string) => `Defined protocol '${port}' in EXPOSE instruction should be lowercase`,
});

export const ExposeInvalidFormat = rule({
  name: 'ExposeInvalidFormat',
  description:
    'IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release',
  explanation: 'EXPOSE takes container ports only (80, 53/udp); publish host ports with docker run -p.',
  url: docs('expose-invalid-format'),
  format: (port: string) => `EXPOSE instruction should not define an IP address or host-port mapping, found '${port}'`,
});

/** Every rule, in BuildKit's order. */
export const CHECK_RULES: readonly CheckRule[] = Object.freeze([
  StageNameCasing,
  FromAsCasing,
  NoEmptyContinuation,
  ConsistentInstructionCasing,
  DuplicateStageName,
  ReservedStageName,
  JSONArgsRecommended,
  MaintainerDeprecated,
  UndefinedArgInFrom,
  WorkdirRelativePath,
  UndefinedVar,
  MultipleInstructionsDisallowed,
  LegacyKeyValueFormat,
  InvalidBaseImagePlatform,
  RedundantTargetPlatform,
  SecretsUsedInArgOrEnv,
  InvalidDefaultArgInFrom,
  FromPlatformFlagConstDisallowed,
  CopyIgnoredFile,
  InvalidDefinitionDescription,
  ExposeProtoCasing,
  ExposeInvalidFormat,
] as CheckRule[]);

/** A rule by its exact name. */
export function findCheckRule(name: string): CheckRule | undefined {
  return CHECK_RULES.find((r) => r.name === name);
}
