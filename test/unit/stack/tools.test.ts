import { describe, expect, it } from 'vitest';
import { javaForKafka, newestJava, parseJavaVersion, type JavaRuntime } from '../../../src/stack/tools.js';

const rt = (bin: string, major: number, isDefault = false): JavaRuntime => ({ bin, major, version: `${major}.0.1`, isDefault });

describe('Java discovery', () => {
  it('parses the version line of every JDK vendor format', () => {
    expect(parseJavaVersion('openjdk version "17.0.15" 2025-04-15')).toEqual({ major: 17, version: '17.0.15' });
    expect(parseJavaVersion('openjdk version "25.0.3" 2026-04-21 LTS')).toEqual({ major: 25, version: '25.0.3' });
    expect(parseJavaVersion('java version "1.8.0_392"')).toEqual({ major: 8, version: '1.8.0_392' });
    expect(parseJavaVersion('openjdk version "21-ea" 2023-09-19')).toEqual({ major: 21, version: '21-ea' });
    expect(parseJavaVersion('command not found')).toBeUndefined();
  });

  it('runs Kafka on the default runtime when it is 17+, else on the oldest 17+', () => {
    expect(javaForKafka([rt('java', 17, true), rt('/jvm/25/bin/java', 25)]).bin).toBe('java');
    expect(javaForKafka([rt('java', 11, true), rt('/jvm/25/bin/java', 25), rt('/jvm/21/bin/java', 21)]).bin).toBe('/jvm/21/bin/java');
  });

  it('says what it found and what to do when no Java 17+ exists', () => {
    expect(() => javaForKafka([rt('java', 11, true)])).toThrow(/needs Java 17 or newer; found: 11\.0\.1 \(java\)/);
    try {
      javaForKafka([]);
    } catch (error) {
      expect((error as { code: string }).code).toBe('VIGIL_STACK_JAVA_MISSING');
      expect((error as { exitCode: number }).exitCode).toBe(2);
    }
  });

  it('picks the newest runtime at or above a minimum for the registry', () => {
    expect(newestJava([rt('java', 17, true), rt('/a', 21), rt('/b', 25)], 21)?.bin).toBe('/b');
    expect(newestJava([rt('java', 17, true)], 21)).toBeUndefined();
  });
});
